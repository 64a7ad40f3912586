package io.wsgate.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the client sees when backends refuse, are down, hang, or are all unhealthy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverIntegrationTests {

	private final TestBackend healthy = new TestBackend();

	private final TestBackend refusing = new TestBackend().refuseWith(403);

	private final TestBackend failing = new TestBackend().refuseWith(503);

	/** Accepts TCP connections (kernel backlog) but never answers. */
	private final ServerSocket hanging = Sockets.hanging();

	private final int closedPort = Sockets.closedPort();

	private final int otherClosedPort = Sockets.closedPort();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /refused", "refused", "ws://127.0.0.1:${refusing}")
			.proxy("path: /failing", "failing", "ws://127.0.0.1:${failing}")
			.pipeline("path: /failover", "failover", """
					- kind: WebSocketProxy
					  name: p
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${closed}"}, {url: "ws://127.0.0.1:${hanging}"}, {url: "ws://127.0.0.1:${healthy}"}]
					      connectTimeout: 500ms
					""")
			.pipeline("path: /down", "down", """
					- {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${closed}"}, {url: "ws://127.0.0.1:${closed2}"}]}]}
					""")
			.proxy("path: /hanging", "hanging", "ws://127.0.0.1:${hanging}", "connectTimeout: 300ms")
			.start(Map.of("healthy", healthy.port(), "refusing", refusing.port(), "failing", failing.port(),
					"hanging", hanging.getLocalPort(), "closed", closedPort, "closed2", otherClosedPort));
	}

	@AfterAll
	void stop() throws IOException {
		gateway.close();
		healthy.close();
		refusing.close();
		failing.close();
		hanging.close();
	}

	@Test
	void backendRefusalIsRelayedWithItsStatusInsteadOf101() {
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/refused")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> {
				assertThat(failed.status).isEqualTo(403);
				assertThat(failed.headers.get("X-Refused-By")).isEqualTo("backend");
			});
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/failing")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> assertThat(failed.status).isEqualTo(503));
	}

	@Test
	void unreachableAndHangingServersAreSkippedForTheNextServer() throws Exception {
		long start = System.nanoTime();
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/failover"))) {
			client.sendText("made it");
			assertThat(client.nextText()).isEqualTo("made it");
		}
		// one refused connection plus one 500ms handshake timeout, not the 10s default
		assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
	}

	@Test
	void noReachableServerAnswers502() throws Exception {
		RawHttp.Response response = RawHttp.send(gateway.port("edge"),
				"GET /down HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isEqualTo(502);
		assertThat(response.body()).contains("no backend of 2 reachable");
	}

	@Test
	void handshakeTimeoutAnswers502Quickly() throws Exception {
		long start = System.nanoTime();
		RawHttp.Response response = RawHttp.send(gateway.port("edge"),
				"GET /hanging HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isEqualTo(502);
		assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
	}


}
