package io.wsgate.it;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Starting the gateway as a user does: the shipped demo config works, a bad config stops the process. */
class StartupIntegrationTests {

	@TempDir
	Path dir;

	@Test
	void badConfigStopsTheProcessWithOneLinePerProblemNamingTheKeyPath() throws Exception {
		Path config = dir.resolve("application.yml");
		Files.writeString(config, """
				wsgate:
				  http-servers:
				    - name: edge
				      port: 0
				      rules:
				        - paths:
				            - {path: /ws, backend: missing-pipeline}
				            - {pathRegexp: "([a-z", backend: p}
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "tcp://127.0.0.1:1"}]
				            - servers: [{url: "ws://127.0.0.1:2", weight: 5}, {url: "ws://127.0.0.1:3"}]
				        - kind: NoSuchKind
				          name: other
				""");
		Process process = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
				"io.wsgate.WsgateApplication", "--spring.config.location=classpath:/application.yml,file:" + config,
				"--server.port=0", "--management.server.port=0")
			.redirectErrorStream(true)
			.start();
		assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("process ended").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.exitValue()).isNotZero();
		List<String> expected = List.of(
				"wsgate.http-servers[0].rules[0].paths[0].backend: unknown pipeline 'missing-pipeline'",
				"wsgate.http-servers[0].rules[0].paths[1].pathRegexp: invalid regular expression '([a-z'",
				"wsgate.pipelines[0].filters[0].pools: exactly one pool without 'filter' is required (found 2)",
				"wsgate.pipelines[0].filters[0].pools[0].servers[0].url: 'tcp://127.0.0.1:1': scheme 'tcp'",
				"wsgate.pipelines[0].filters[0].pools[1].servers: weights are set on 1 of 2 servers",
				"wsgate.pipelines[0].filters[1].kind: unknown filter kind 'NoSuchKind'");
		for (String line : expected) {
			assertThat(output).contains("  " + line);
		}
	}

	@Test
	void misspeltKeyStopsStartupNamingIt() throws Exception {
		Throwable failure = null;
		try (Gateway gateway = Gateway.start("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:2"}]
				              clientMaxMsgSise: 10
				""")) {
			// started: the assertion below fails
		}
		catch (RuntimeException ex) {
			failure = ex;
		}
		assertThat(failure).isNotNull();
		assertThat(stackMessages(failure)).contains("wsgate.pipelines[0].filters[0].pools[0].clientmaxmsgsise: unknown key");
	}

	@Test
	void shippedApplicationYmlProxiesTheDemoRouteToTheBuiltInEchoBackend() throws Exception {
		// The shipped file, with free ports instead of 8080 and 12345 (taken on a shared machine).
		String shipped = Files.readString(Path.of("application.yml"));
		assertThat(shipped).contains("port: 8080").contains("12345");
		try (Gateway gateway = startWithTheDemoOnAFreePort(shipped.replace("port: 8080", "port: 0"))) {
			try (TestClient client = TestClient.connect(gateway.wsUrl("demo-server", "/ws"))) {
				client.sendText("hello demo");
				assertThat(client.nextText()).isEqualTo("hello demo");
			}
		}
	}

	/**
	 * The demo backend's port is written in the pool's URL as well, so it cannot be 0: it is picked
	 * free before the gateway binds it, and another process may take it in between; then the start is
	 * tried again on another port.
	 */
	private static Gateway startWithTheDemoOnAFreePort(String yaml) throws IOException {
		for (int attempt = 1; ; attempt++) {
			int demoPort;
			try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				demoPort = probe.getLocalPort();
			}
			try {
				return Gateway.start(yaml.replace("12345", String.valueOf(demoPort)));
			}
			catch (RuntimeException ex) {
				if (attempt == 3 || !stackMessages(ex).contains("address already in use")) {
					throw ex;
				}
			}
		}
	}

	private static String stackMessages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			messages.append(t.getMessage()).append('\n');
		}
		return messages.toString().toLowerCase();
	}

	private static String javaBinary() {
		return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
	}

}
