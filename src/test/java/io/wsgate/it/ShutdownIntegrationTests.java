package io.wsgate.it;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Graceful shutdown: readiness goes down, the port stops accepting, sessions drain then get 1001. */
class ShutdownIntegrationTests {

	@Test
	void shutdownDrainsThenClosesOpenSessionsWith1001OnBothSides() throws Exception {
		try (TestBackend backend = new TestBackend()) {
			Gateway gateway = GatewayYaml.edge()
				.wsgate("shutdown: {drainPeriod: 8s}")
				.proxy("path: /ws", "p", "ws://127.0.0.1:${backend}")
				.start(Map.of("backend", backend.port(),
						// Actuator on the application's own server (port 0), as in the shipped config: a separate
						// management context would close as soon as the shutdown starts. Unset, not 0: Boot
						// gives port 0 a management server of its own.
						"management.server.port", ""));
			int port = gateway.port("edge");
			TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
			TestBackend.Session session = backend.nextSession();

			long start = System.nanoTime();
			CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);

			// During the drain: readiness reports the gateway out of service, the port refuses
			// connections, and the open session still works. The drain period leaves these checks
			// room on a busy machine (2 s once ran out for readiness, with a load average of 22 on 2 cores).
			await().atMost(Duration.ofSeconds(5)).until(() -> gateway.management("/actuator/health/readiness").contains("OUT_OF_SERVICE"));
			await().atMost(Duration.ofSeconds(5)).until(() -> refusesConnections(port));
			client.sendText("still draining");
			assertThat(client.nextText()).isEqualTo("still draining");

			WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(14));
			assertThat(atClient.code()).isEqualTo(1001);
			assertThat(atClient.reasonText()).isEqualTo("gateway shutting down");
			assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1001);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(7900));
			closing.get(15, TimeUnit.SECONDS);
		}
	}

	private static boolean refusesConnections(int port) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}
}
