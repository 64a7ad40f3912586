package io.wsgate.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.wsgate.config.easegress.EasegressSeed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The gateway started with {@code wsgate.easegress.files}: the seed's two Easegress objects, read
 * from files, serve WebSocket sessions over real sockets; bad files stop startup naming file,
 * object and key.
 */
class EasegressFilesIntegrationTests {

	@TempDir
	Path dir;

	private final List<TestBackend> backends = new ArrayList<>();

	/** The seed's pipeline, its four servers real backends. */
	private String pipeline;

	/** The seed's http server on a free port. */
	private final String httpServer = EasegressSeed.HTTP_SERVER.replace("port: 8080", "port: 0");

	@BeforeEach
	void startBackends() {
		pipeline = EasegressSeed.PIPELINE;
		for (String port : List.of("12345", "9095", "9096", "9097")) {
			TestBackend backend = new TestBackend();
			backends.add(backend);
			pipeline = pipeline.replace("ws://127.0.0.1:" + port, backend.url());
		}
	}

	@AfterEach
	void stopBackends() {
		backends.forEach(TestBackend::close);
	}

	private static String config(String... locations) {
		return "wsgate:\n  easegress:\n    files:\n" + String.join("", List.of(locations).stream()
			.map(location -> "      - " + location + "\n").toList());
	}

	/** Four sessions, round robin: each backend echoes one and saw its handshake. */
	private void assertSeedServes(Gateway gateway) throws Exception {
		for (int i = 0; i < 4; i++) {
			try (TestClient client = TestClient.connect(gateway.wsUrl("demo-server", "/ws"))) {
				client.sendText("from an Easegress file " + i);
				assertThat(client.nextText()).isEqualTo("from an Easegress file " + i);
			}
		}
		assertThat(backends).allSatisfy(backend -> assertThat(backend.lastHandshake()).isNotNull());
	}

	@Test
	void theSeedObjectsInOneMultiDocumentFileServeSessions() throws Exception {
		Files.writeString(dir.resolve("seed.yaml"), pipeline + "---\n" + httpServer);
		try (Gateway gateway = Gateway.start(config("file:" + dir.resolve("seed.yaml")))) {
			assertSeedServes(gateway);
			// The status endpoint lists the objects of the files: the server, and the pipeline with its filter.
			assertThat(gateway.management("/actuator/wsgate")).contains("\"demo-server\"").contains("\"websocket-pipeline\"")
				.contains("\"wsproxy\"");
		}
	}

	@Test
	void theSeedObjectsSplitInAFolderOfTwoFilesServeSessions() throws Exception {
		Files.writeString(dir.resolve("10-pipeline.yaml"), pipeline);
		Files.writeString(dir.resolve("20-server.yml"), httpServer);
		try (Gateway gateway = Gateway.start(config("file:" + dir + "/"))) {
			assertSeedServes(gateway);
		}
	}

	@Test
	void anEasegressServerRoutesToAWsgatePipelineBesideWsgateServers() throws Exception {
		Files.writeString(dir.resolve("server.yaml"), httpServer.replace("backend: websocket-pipeline", "backend: local"));
		String yaml = config("file:" + dir.resolve("server.yaml")) + """
				  pipelines:
				    - name: local
				      filters: [{kind: WebSocketProxy, name: p, pools: [{servers: [{url: "%s"}]}]}]
				  http-servers:
				    - {name: wsgate-server, port: 0, rules: [{paths: [{path: /ws, backend: local}]}]}
				""".formatted(backends.get(0).url());
		try (Gateway gateway = Gateway.start(yaml);
				TestClient viaEasegress = TestClient.connect(gateway.wsUrl("demo-server", "/ws"));
				TestClient viaWsgate = TestClient.connect(gateway.wsUrl("wsgate-server", "/ws"))) {
			viaEasegress.sendText("one");
			viaWsgate.sendText("two");
			assertThat(viaEasegress.nextText()).isEqualTo("one");
			assertThat(viaWsgate.nextText()).isEqualTo("two");
		}
	}

	@Test
	void httpsWithCertsAndKeysServesWss() throws Exception {
		TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("certs")));
		String cert = Base64.getEncoder().encodeToString(Files.readAllBytes(certs.dir.resolve("server.pem")));
		String key = Base64.getEncoder().encodeToString(Files.readAllBytes(certs.dir.resolve("server.key")));
		Files.writeString(dir.resolve("seed.yaml"), pipeline + "---\n" + httpServer.replace("port: 0",
				"port: 0\nhttps: true\ncerts: {localhost: " + cert + "}\nkeys: {localhost: " + key + "}"));
		SslContext trustingCa = SslContextBuilder.forClient().trustManager(certs.dir.resolve("ca.pem").toFile()).build();
		try (Gateway gateway = Gateway.start(config("file:" + dir.resolve("seed.yaml")));
				TestClient client = TestClient.connect("wss://localhost:" + gateway.port("demo-server") + "/ws", Map.of(), null,
						trustingCa)) {
			client.sendText("over TLS from certs");
			assertThat(client.nextText()).isEqualTo("over TLS from certs");
		}
	}

	@Test
	void maxConnectionsCapsTheConnectionsOfTheListener() throws Exception {
		Files.writeString(dir.resolve("seed.yaml"), pipeline + "---\n" + httpServer.replace("port: 0", "port: 0\nmaxConnections: 1"));
		try (Gateway gateway = Gateway.start(config("file:" + dir.resolve("seed.yaml")))) {
			String url = gateway.wsUrl("demo-server", "/ws");
			try (TestClient first = TestClient.connect(url)) {
				first.sendText("the one connection");
				assertThat(first.nextText()).isEqualTo("the one connection");
				assertThatThrownBy(() -> TestClient.connect(url).close()).isNotNull();
			}
			// Its place is free once the first connection is closed.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				try (TestClient next = TestClient.connect(url)) {
					next.sendText("the next one");
					assertThat(next.nextText()).isEqualTo("the next one");
				}
			});
		}
	}

	@Test
	void anUnsupportedKeyStopsStartupNamingFileObjectAndKey() throws Exception {
		Path file = Files.writeString(dir.resolve("seed.yaml"), pipeline + "---\n"
				+ httpServer.replace("    backend: websocket-pipeline", "    backend: websocket-pipeline\n    rewriteTarget: /v2"));
		assertThatThrownBy(() -> Gateway.start(config("file:" + file), Map.of()).close())
			.hasStackTraceContaining("easegress file " + file + ", HTTPServer 'demo-server': rules[0].paths[0].rewriteTarget: "
					+ "not supported by wsgate");
	}

	@Test
	void anUnknownBackendInAFileStopsStartupNamingFileObjectAndKey() throws Exception {
		Path file = Files.writeString(dir.resolve("server.yaml"), httpServer);
		assertThatThrownBy(() -> Gateway.start(config("file:" + file), Map.of()).close())
			.hasStackTraceContaining("easegress file " + file + ", HTTPServer 'demo-server': rules[0].paths[0].backend: "
					+ "unknown pipeline 'websocket-pipeline'");
	}

	@Test
	void aMissingFileStopsStartupNamingTheLocation() {
		Path missing = dir.resolve("missing.yaml");
		assertThatThrownBy(() -> Gateway.start(config("file:" + missing), Map.of()).close())
			.hasStackTraceContaining("wsgate.easegress.files[0]: 'file:" + missing + "' does not exist");
	}
}
