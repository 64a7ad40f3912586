package io.wsgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.WsgateApplication;
import io.wsgate.server.Listeners;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real gateway application started in the test JVM from an inline YAML config, on random
 * ports (listeners with {@code port: 0}, management on a random port). The working directory's
 * application.yml is not read.
 */
public final class Gateway implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private Gateway(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/**
	 * @param yaml the config; placeholders like {@code ${backend.a}} are resolved from {@code properties}
	 * @param properties extra properties (backend ports, overrides)
	 */
	public static Gateway start(String yaml, Map<String, Object> properties) {
		Path file;
		try {
			file = Files.createTempFile("wsgate-test", ".yml");
			Files.writeString(file, yaml);
			file.toFile().deleteOnExit();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return start(file, yaml, properties);
	}

	/**
	 * Starts from a config file the test may rewrite (live configuration).
	 *
	 * @param file the config file, already written
	 * @param properties extra properties (backend ports, overrides)
	 */
	public static Gateway start(Path file, Map<String, Object> properties) {
		try {
			return start(file, Files.readString(file), properties);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Gateway start(Path file, String yaml, Map<String, Object> properties) {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("spring.config.location", "classpath:/application.yml,file:" + file);
		settings.put("server.port", 0);
		settings.put("management.server.port", 0);
		if (!yaml.contains("drainPeriod")) {
			// Tests end with sessions open; closing them need not wait the 10s default.
			settings.put("wsgate.shutdown.drain-period", "100ms");
		}
		settings.putAll(properties);
		List<String> args = new ArrayList<>();
		settings.forEach((key, value) -> args.add("--" + key + "=" + value));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WsgateApplication.class)
			.run(args.toArray(String[]::new));
		return new Gateway(context);
	}

	public static Gateway start(String yaml) {
		return start(yaml, Map.of());
	}

	/** The port of an http server of the config. */
	public int port(String serverName) {
		return context.getBean(Listeners.class).port(serverName);
	}

	public String wsUrl(String serverName, String pathAndQuery) {
		return "ws://127.0.0.1:" + port(serverName) + pathAndQuery;
	}

	public int managementPort() {
		Integer separate = context.getEnvironment().getProperty("local.management.port", Integer.class);
		return (separate != null) ? separate : context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	/** GETs a path of the management server and returns the body (any status). */
	public String management(String path) {
		try {
			java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort() + path))
					.timeout(java.time.Duration.ofSeconds(10))
					.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			return response.body();
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** POSTs to a path of the management server and returns the body (any status). */
	public String managementPost(String path) {
		try {
			java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort() + path))
					.timeout(java.time.Duration.ofSeconds(10))
					.POST(java.net.http.HttpRequest.BodyPublishers.noBody())
					.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
			return response.body();
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public <T> T bean(Class<T> type) {
		return context.getBean(type);
	}

	@Override
	public void close() {
		context.close();
	}
}
