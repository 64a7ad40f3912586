package io.wsgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** wsgate: a WebSocket gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WsgateApplication {

	public static void main(String[] args) {
		SpringApplication.run(WsgateApplication.class, args);
	}
}
