package io.wsgate.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.wsgate.it.Faults.active;
import static io.wsgate.it.Faults.between;
import static io.wsgate.it.Faults.latin1;
import static io.wsgate.it.Faults.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backend faults with real sockets on loopback, each bounded in time: a backend that dies mid-session,
 * one that never answers the handshake, and clients that reset while the gateway upgrades them. The
 * gateway must keep serving the other routes, log no errors for it and leak nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class BackendFaultIntegrationTests {

	private final TestBackend echo = new TestBackend();

	private final TestBackend killable = new TestBackend();

	/** Answers WebSocket handshakes only when the test says so. */
	private final SlowHandshakeBackend slow = new SlowHandshakeBackend();

	/** Accepts TCP connections (kernel backlog) but never answers the handshake. */
	private final ServerSocket hanging = Sockets.hanging();

	private Gateway gateway;

	private int port;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /echo", "echo", "ws://127.0.0.1:${echo}", "clientMaxMsgSize: -1, serverMaxMsgSize: -1")
			.proxy("path: /killable", "killable", "ws://127.0.0.1:${killable}",
					"connectTimeout: 1s, passiveHealthCheck: {backoff: 200ms, maxBackoff: 400ms}")
			.proxy("path: /hanging", "hanging", "ws://127.0.0.1:${hanging}", "connectTimeout: 300ms, passiveHealthCheck: {enabled: false}")
			.proxy("path: /slow", "slow", "ws://127.0.0.1:${slow}", "connectTimeout: 10s, passiveHealthCheck: {enabled: false}")
			.start(Map.of("echo", echo.port(), "killable", killable.port(), "hanging", hanging.getLocalPort(), "slow",
					slow.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() throws IOException {
		gateway.close();
		echo.close();
		killable.close();
		hanging.close();
		slow.close();
	}

	@Test
	void backendKilledMidSessionClosesTheClientWith1014ThenRefusesUntilItIsBack() throws Exception {
		killable.sessions.clear();
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/killable"));
		client.sendText("before");
		assertThat(client.nextText()).isEqualTo("before");
		TestBackend.Session backendSession = killable.nextSession();
		AtomicLong closedAt = new AtomicLong();
		client.closeStatus.whenComplete((status, ex) -> closedAt.set(System.nanoTime()));

		// The backend process dies: its listening port and its connections close. TestBackend.stop()
		// closes the port but leaves established connections open, so they are dropped explicitly.
		long killedAt = System.nanoTime();
		killable.stop();
		long stopMs = millisSince(killedAt);
		boolean closedByStop = backendSession.disconnected.isDone();
		long droppedAt = System.nanoTime();
		backendSession.drop();
		WebSocketCloseStatus status = client.awaitClose(Duration.ofSeconds(1));
		long closeMs = (closedAt.get() - (closedByStop ? killedAt : droppedAt)) / 1_000_000;
		client.disconnected.get(5, TimeUnit.SECONDS);

		List<Integer> whileDown = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			whileDown.add(rawUpgrade("/killable").status());
		}

		long restartedAt = System.nanoTime();
		killable.restart();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
			try (TestClient again = TestClient.connect(gateway.wsUrl("edge", "/killable"))) {
				again.sendText("after");
				assertThat(again.nextText()).isEqualTo("after");
			}
		});
		long recoveryMs = millisSince(restartedAt);
		System.out.printf("FAULT killed-backend: stop() took %d ms and %s the established connection; client got %s "
				+ "%d ms after the connection died; handshakes while down %s; sessions again %d ms after restart%n", stopMs,
				closedByStop ? "closed" : "did not close", status, closeMs, whileDown, recoveryMs);

		assertThat(status.code()).isEqualTo(1014);
		assertThat(closeMs).as("ms from the backend connection's death to the client's close frame").isLessThan(1_000);
		assertThat(whileDown).allSatisfy(code -> assertThat(code).isIn(502, 503));
	}

	@Test
	void backendThatNeverAnswersTheHandshakeGets502QuicklyWhileOtherRoutesServe() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(5);
		try {
			List<Future<long[]>> pending = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				pending.add(pool.submit(() -> {
					long start = System.nanoTime();
					int status = rawUpgrade("/hanging").status();
					return new long[] { status, millisSince(start) };
				}));
			}
			// While those handshakes hang on the backend, another route works.
			long start = System.nanoTime();
			try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/echo"))) {
				client.sendText("still here");
				assertThat(client.nextText()).isEqualTo("still here");
			}
			long otherMs = millisSince(start);
			List<String> results = new ArrayList<>();
			for (Future<long[]> result : pending) {
				long[] r = result.get(10, TimeUnit.SECONDS);
				results.add(r[0] + " in " + r[1] + " ms");
				assertThat(r[0]).as("status").isEqualTo(502);
				assertThat(r[1]).as("ms to the 502 with connectTimeout 300ms").isLessThan(2_000);
			}
			System.out.printf("FAULT hanging-backend: %s; echo route session took %d ms meanwhile%n", results, otherMs);
			assertThat(otherMs).isLessThan(2_000);
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * A client that resets its connection while the gateway is upgrading it (a client-side handshake
	 * timeout, a mobile client losing its network) is routine: the gateway must drop the backend
	 * connection quietly. An ERROR with a stack trace per such client lets any client flood the error
	 * log at will. The reset races with the backend's 101, so a few rounds are run.
	 */
	@Test
	void clientResetDuringTheUpgradeIsNeitherAnErrorNorALeak(CapturedOutput output) throws Exception {
		MeterRegistry registry = gateway.bean(MeterRegistry.class);
		String marker = "FAULT-RESET-" + System.nanoTime();
		System.out.println(marker + " start");
		List<SlowHandshakeBackend.Pending> answered = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			Socket client = new Socket();
			client.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			client.getOutputStream().write(latin1("GET /slow HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n"));
			SlowHandshakeBackend.Pending handshake = slow.next();
			handshake.answer101();
			client.setSoLinger(true, 0);
			client.close(); // RST
			answered.add(handshake);
		}
		for (SlowHandshakeBackend.Pending handshake : answered) {
			handshake.closed.get(10, TimeUnit.SECONDS); // the gateway dropped the backend connection
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> active(registry, slow.port()) == 0);
		System.out.println(marker + " end");
		List<String> errors = between(output.getOut(), marker + " start", marker + " end").lines()
			.filter(line -> line.contains(" ERROR ")).toList();
		System.out.printf("FAULT reset-during-upgrade: %d ERROR lines for 20 resets%n", errors.size());
		assertThat(errors).as("ERROR log lines").isEmpty();
	}

	/**
	 * A backend whose 101 comes with its first words and its close in one packet (it turns the session
	 * down once accepted): the client, upgraded after all of it arrived, hears both, in order.
	 */
	@Test
	void aBackendThatSpeaksAndClosesWithIts101IsHeardToTheEnd() throws Exception {
		byte[] both = WireClient.together(WireClient.unmasked(0x81, latin1("not today")),
				WireClient.unmasked(0x88, WireClient.closePayload(4001, "go away")));
		for (int i = 0; i < 5; i++) {
			CompletableFuture<WireClient> connecting = WireClient.connectLater(port, "/slow");
			SlowHandshakeBackend.Pending handshake = slow.next();
			handshake.answer101(both);
			try (WireClient client = connecting.get(10, TimeUnit.SECONDS)) {
				assertThat(client.read().text()).as("session %d", i).isEqualTo("not today");
				WireClient.WireFrame closed = client.readClose();
				assertThat(closed.closeCode()).isEqualTo(4001);
				assertThat(closed.closeReason()).isEqualTo("go away");
			}
			handshake.closed.get(10, TimeUnit.SECONDS);
		}
	}

	private RawHttp.Response rawUpgrade(String path) throws IOException {
		return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
	}
}
