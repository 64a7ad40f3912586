package io.wsgate;

import java.util.stream.StreamSupport;

import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.ReactorResourceFactory;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopsTests {

	@Test
	void oneEventLoopPerCore() {
		ReactorResourceFactory resources = new GatewayConfiguration().reactorResourceFactory();
		resources.afterPropertiesSet();
		try {
			EventLoopGroup loops = resources.getLoopResources().onServer(true);
			assertThat(StreamSupport.stream(loops.spliterator(), false).count())
				.isEqualTo(Runtime.getRuntime().availableProcessors());
		}
		finally {
			resources.destroy();
		}
	}
}
