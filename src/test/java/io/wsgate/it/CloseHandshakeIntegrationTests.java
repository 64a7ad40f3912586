package io.wsgate.it;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.wsgate.it.WireClient.WireFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.wsgate.it.Faults.latin1;
import static io.wsgate.it.Faults.millisSince;
import static io.wsgate.it.WireClient.closePayload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The close handshake a client starts, through the gateway to a backend the test scripts byte by byte:
 * the client's close goes to the backend, and the client hears the backend's answer, after whatever
 * the backend said before it, as through nginx or HAProxy. A backend that never answers does not keep
 * the client waiting for longer than the bridge's grace period, and while the client waits, the
 * session's timers (1 s idle timeout and keepalive here) leave it alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloseHandshakeIntegrationTests {

	private final SlowHandshakeBackend backend = new SlowHandshakeBackend();

	private Gateway gateway;

	private int port;

	/** A client and its backend connection, relaying. */
	private record Session(WireClient client, SlowHandshakeBackend.Pending backend) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			client.close();
			backend.close();
		}
	}

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /ws", "scripted", "ws://127.0.0.1:${backend}",
					"passiveHealthCheck: {enabled: false}, idleTimeout: 1s, pingInterval: 1s, pingTimeout: 1s")
			.start(Map.of("backend", backend.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() throws IOException {
		gateway.close();
		backend.close();
	}

	@Test
	void aClientsCloseIsAnsweredByTheBackendAfterItsLastWords() throws Exception {
		try (Session session = open()) {
			session.client().write(WireClient.masked(0x88, closePayload(1000, "done")));
			WireFrame atBackend = session.backend().readFrame();
			assertThat(atBackend.opcode()).isEqualTo(0x8);
			assertThat(atBackend.closeCode()).isEqualTo(1000);
			assertThat(atBackend.closeReason()).isEqualTo("done");

			session.backend().write(WireClient.together(WireClient.unmasked(0x81, latin1("bye")),
					WireClient.unmasked(0x88, closePayload(1000, "done"))));
			assertThat(session.client().read().text()).as("what the backend said before its close").isEqualTo("bye");
			WireFrame answer = session.client().read();
			assertThat(answer.opcode()).isEqualTo(0x8);
			assertThat(answer.closeCode()).isEqualTo(1000);
			assertThat(answer.closeReason()).isEqualTo("done");
			assertThat(session.client().readsEnd()).as("the client's connection is closed after the answer").isTrue();
			assertThat(session.backend().readsEnd()).as("the backend's connection is closed after its answer").isTrue();
		}
	}

	@Test
	void aClientsCloseIsAnsweredWithinTheGracePeriodWhenTheBackendNeverAnswers() throws Exception {
		try (Session session = open()) {
			long start = System.nanoTime();
			session.client().write(WireClient.masked(0x88, closePayload(4000, "leaving")));
			assertThat(session.backend().readFrame().closeCode()).isEqualTo(4000);

			WireFrame answer = session.client().read();
			assertThat(answer.opcode()).as("no ping, no idle timeout while the client waits").isEqualTo(0x8);
			assertThat(answer.closeCode()).isEqualTo(4000);
			assertThat(answer.closeReason()).isEqualTo("leaving");
			assertThat(millisSince(start)).as("answered once the grace period (5 s) is over")
				.isBetween(4_000L, 9_000L);
			assertThat(session.backend().readsEnd()).as("the silent backend's connection is dropped").isTrue();
		}
	}

	@Test
	void theBackendHearsTheCloseOfAClientThatLeftAtOnce() throws Exception {
		try (Session session = open()) {
			session.client().write(WireClient.masked(0x88, closePayload(4002, "gone")));
			session.client().close();
			WireFrame atBackend = session.backend().readFrame();
			assertThat(atBackend.closeCode()).isEqualTo(4002);
			assertThat(atBackend.closeReason()).isEqualTo("gone");

			session.backend().write(WireClient.unmasked(0x88, closePayload(4002, "gone")));
			assertThat(session.backend().readsEnd()).as("the backend's connection is closed after its answer").isTrue();
		}
	}

	/** Opens a session and checks it relays: a text from the client reaches the backend. */
	private Session open() throws Exception {
		CompletableFuture<WireClient> connecting = WireClient.connectLater(port, "/ws");
		SlowHandshakeBackend.Pending pending = backend.next();
		pending.answer101Scripted();
		Session session = new Session(connecting.get(10, TimeUnit.SECONDS), pending);
		session.client().sendText("hello");
		assertThat(session.backend().readFrame().text()).isEqualTo("hello");
		return session;
	}
}
