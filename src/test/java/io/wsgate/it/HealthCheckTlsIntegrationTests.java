package io.wsgate.it;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Active health checks of wss:// servers use the pool's serverTls, as its dials do. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthCheckTlsIntegrationTests {

	@TempDir
	static Path dir;

	private TestBackend mtlsBackend;

	private TestBackend untrustedBackend;

	private Gateway gateway;

	@BeforeAll
	void start() throws Exception {
		TestCertificates.create(dir);
		File ca = dir.resolve("ca.pem").toFile();
		File cert = dir.resolve("server.pem").toFile();
		File key = dir.resolve("server.key").toFile();
		// Trusted only through the test CA, and only by clients with a certificate it signed.
		mtlsBackend = new TestBackend(SslContextBuilder.forServer(cert, key).trustManager(ca).clientAuth(ClientAuth.REQUIRE).build());
		// Its certificate's issuer is in no trust store the gateway uses.
		untrustedBackend = new TestBackend(SslContextBuilder.forServer(cert, key).build());
		gateway = GatewayYaml.edge()
			.pipeline("path: /mtls", "mtls", """
					- kind: WebSocketProxy
					  name: p
					  pools:
					    - servers: [{url: "wss://127.0.0.1:${mtls}"}]
					      serverTls: {ca: "${certs}/ca.pem", cert: "${certs}/client.pem", key: "${certs}/client.key"}
					      healthCheck:
					        interval: 100ms
					        timeout: 2s
					        ws: {uri: /health/ws, headers: {Host: health.example, X-Health-Check: wsgate}}
					        http: {uri: /healthz}
					""")
			.pipeline("path: /skip", "skip", """
					- kind: WebSocketProxy
					  name: p
					  pools:
					    - servers: [{url: "wss://127.0.0.1:${untrusted}"}]
					      serverTls: {insecureSkipVerify: true}
					      healthCheck: {interval: 100ms, timeout: 2s, ws: {uri: /health/ws}, http: {uri: /healthz}}
					""")
			.pipeline("verified", """
					- kind: WebSocketProxy
					  name: p
					  pools:
					    - servers: [{url: "wss://127.0.0.1:${untrusted}"}]
					      healthCheck: {interval: 100ms, timeout: 2s, ws: {uri: /health/ws}}
					""")
			.start(Map.of("certs", "file:" + dir, "mtls", mtlsBackend.port(), "untrusted", untrustedBackend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		mtlsBackend.close();
		untrustedBackend.close();
	}

	private Object server(String pipeline, int port, String detail) {
		return JsonPath.read(gateway.management("/actuator/health"), "$.components.wsgate.components['" + pipeline
				+ "'].components['p-main'].details.servers['wss://127.0.0.1:" + port + "']." + detail);
	}

	/** Servers start UP: only passed checks, one after another, show that the probes get through. */
	private void awaitChecksPassing(String pipeline, int port) {
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat((Integer) server(pipeline, port, "consecutiveSuccesses"))
				.as("passed checks in a row; last failure: %s", server(pipeline, port, "lastFailure"))
				.isGreaterThanOrEqualTo(3));
		assertThat(server(pipeline, port, "status")).isEqualTo("UP");
		assertThat(server(pipeline, port, "consecutiveFailures")).isEqualTo(0);
		assertThat(server(pipeline, port, "lastFailure")).isNull();
	}

	private void assertEchoes(String path) throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", path))) {
			client.sendText("through " + path);
			assertThat(client.nextText()).isEqualTo("through " + path);
		}
	}

	@Test
	void mutualTlsServerStaysUpUnderWebSocketAndHttpChecks() throws Exception {
		awaitChecksPassing("mtls", mtlsBackend.port());
		int passed = (Integer) server("mtls", mtlsBackend.port(), "consecutiveSuccesses");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> (Integer) server("mtls", mtlsBackend.port(), "consecutiveSuccesses") >= passed + 3);
		assertThat(server("mtls", mtlsBackend.port(), "status")).isEqualTo("UP");
		assertThat(mtlsBackend.handshakes).anySatisfy(h -> assertThat(h.uri()).isEqualTo("/healthz"));
		assertEchoes("/mtls");
	}

	@Test
	void webSocketProbeSendsTheCheckHostHeaderAndClosesWith1000() throws Exception {
		awaitChecksPassing("mtls", mtlsBackend.port());
		TestBackend.Handshake probe = mtlsBackend.handshakes.stream()
			.filter(h -> h.uri().equals("/health/ws"))
			.findFirst()
			.orElseThrow();
		assertThat(probe.headers().getAll("Host")).containsExactly("health.example");
		assertThat(probe.headers().get("X-Health-Check")).isEqualTo("wsgate");
		TestBackend.Session session = mtlsBackend.sessions.stream()
			.filter(s -> s.uri.equals("/health/ws"))
			.findFirst()
			.orElseThrow();
		WebSocketCloseStatus status = session.closeStatus.get(5, TimeUnit.SECONDS);
		assertThat(status.code()).isEqualTo(1000);
		assertThat(status.reasonText()).isEqualTo("health check");
	}

	@Test
	void insecureSkipVerifyKeepsAnUntrustedServerUp() throws Exception {
		awaitChecksPassing("skip", untrustedBackend.port());
		assertEchoes("/skip");
	}

	@Test
	void withoutServerTlsTheUntrustedServerIsDown() {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "DOWN".equals(server("verified", untrustedBackend.port(), "status")));
		assertThat((String) server("verified", untrustedBackend.port(), "lastFailure")).startsWith("ws check:");
	}
}
