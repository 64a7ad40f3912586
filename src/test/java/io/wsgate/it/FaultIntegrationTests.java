package io.wsgate.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.it.TestBackend.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults with real sockets on loopback, each bounded in time and count: a backend that dies
 * mid-session, a backend that never answers the handshake, a client that never reads, slowloris
 * handshakes, a flood of garbage connections and a burst of short sessions. Whatever one peer
 * does, the gateway must keep serving the others, log no errors for it and leak nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(OutputCaptureExtension.class)
class FaultIntegrationTests {

	private static final String ACTIVE = "wsgate.sessions.active";

	private final TestBackend echo = new TestBackend();

	private final TestBackend killable = new TestBackend();

	private final TestBackend burst = new TestBackend();

	/** An echo backend only for the session-leak check of a vanished non-reading client. */
	private final TestBackend stallEcho = new TestBackend();

	/** Answers WebSocket handshakes only when the test says so. */
	private final SlowHandshakeBackend slow = new SlowHandshakeBackend();

	/** Accepts TCP connections (kernel backlog) but never answers the handshake. */
	private final ServerSocket hanging = openHanging();

	private Gateway gateway;

	private int port;

	@BeforeAll
	void start() {
		gateway = Gateway.start("""
				wsgate:
				  http-servers:
				    - name: edge
				      port: 0
				      rules:
				        - paths:
				            - {path: /echo, backend: echo}
				            - {path: /killable, backend: killable}
				            - {path: /hanging, backend: hanging}
				            - {path: /burst, backend: burst}
				            - {path: /stall-echo, backend: stall-echo}
				            - {path: /slow, backend: slow}
				  pipelines:
				    - name: echo
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}], clientMaxMsgSize: -1, serverMaxMsgSize: -1}]}
				    - name: killable
				      filters:
				        - kind: WebSocketProxy
				          name: p
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${killable}"}]
				              connectTimeout: 1s
				              passiveHealthCheck: {backoff: 200ms, maxBackoff: 400ms}
				    - name: hanging
				      filters:
				        - kind: WebSocketProxy
				          name: p
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${hanging}"}]
				              connectTimeout: 300ms
				              passiveHealthCheck: {enabled: false}
				    - name: burst
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${burst}"}]}]}
				    - name: stall-echo
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${stallEcho}"}], clientMaxMsgSize: -1, serverMaxMsgSize: -1}]}
				    - name: slow
				      filters:
				        - kind: WebSocketProxy
				          name: p
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${slow}"}]
				              connectTimeout: 10s
				              passiveHealthCheck: {enabled: false}
				""", Map.of("echo", echo.port(), "killable", killable.port(), "hanging", hanging.getLocalPort(), "burst",
				burst.port(), "stallEcho", stallEcho.port(), "slow", slow.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() throws IOException {
		gateway.close();
		echo.close();
		killable.close();
		burst.close();
		stallEcho.close();
		hanging.close();
		slow.close();
	}

	// ---------------------------------------------------------------- 1. backend killed mid-session

	@Test
	@Order(1)
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

	// ---------------------------------------------------------------- 2. backend never answers the handshake

	@Test
	@Order(2)
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

	// ---------------------------------------------------------------- 3. client that never reads

	@Test
	@Order(3)
	void clientThatNeverReadsIsStalledWhileAnotherClientGetsPromptEchoes() throws Exception {
		try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
			RawHttp.upgrade(socket, "/echo");
			long start = System.nanoTime();
			long written = pushUntilStalled(socket);
			long stallMs = millisSince(start);

			// During the stall, another client on the same gateway and route gets prompt echoes.
			long worstMs = 0;
			long sessionStart = System.nanoTime();
			try (TestClient other = TestClient.connect(gateway.wsUrl("edge", "/echo"))) {
				for (int i = 0; i < 20; i++) {
					long sent = System.nanoTime();
					other.sendText("prompt-" + i);
					assertThat(other.nextText()).isEqualTo("prompt-" + i);
					worstMs = Math.max(worstMs, millisSince(sent));
				}
			}
			long otherMs = millisSince(sessionStart);

			// Still stalled: over half a second the gateway takes (almost) nothing more.
			ByteBuffer frame = RawHttp.maskedBinaryFrame(64 * 1024);
			long more = 0;
			long until = System.nanoTime() + 500_000_000L;
			while (System.nanoTime() < until) {
				more += write(socket, frame);
				LockSupport.parkNanos(5_000_000);
			}
			System.out.printf("FAULT non-reading-client: writes stalled after %d bytes (%d ms); other client: session %d ms, "
					+ "worst echo %d ms; %d bytes more accepted in the next 500 ms%n", written, stallMs, otherMs, worstMs, more);
			assertThat(worstMs).as("worst echo latency of the other client").isLessThan(2_000);
			assertThat(more).as("bytes accepted from the stalled client after the other session").isLessThan(1L << 20);
		}
	}

	/**
	 * A client stalled by back-pressure (it never reads while the echo backend keeps answering) then
	 * vanishes: the gateway must end the session on both sides within its close grace (5 s), not keep
	 * the session and the backend connection forever.
	 */
	@Test
	@Order(8)
	void nonReadingClientThatVanishesDoesNotLeakItsSession() throws Exception {
		MeterRegistry registry = gateway.bean(MeterRegistry.class);
		stallEcho.sessions.clear();
		try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
			RawHttp.upgrade(socket, "/stall-echo");
			pushUntilStalled(socket);
			assertThat(active(registry, stallEcho.port())).isEqualTo(1);
		}
		TestBackend.Session backendSession = stallEcho.nextSession();
		long goneAt = System.nanoTime();
		await().atMost(Duration.ofSeconds(15)).until(() -> active(registry, stallEcho.port()) == 0);
		backendSession.disconnected.get(5, TimeUnit.SECONDS);
		System.out.printf("FAULT vanished-non-reading-client: session ended %d ms after the client left%n", millisSince(goneAt));
	}

	/** Writes 64 KiB frames without reading until the gateway accepts nothing for a second; returns the bytes written. */
	private static long pushUntilStalled(SocketChannel socket) throws IOException {
		socket.configureBlocking(false);
		ByteBuffer frame = RawHttp.maskedBinaryFrame(64 * 1024);
		long written = 0;
		long lastProgress = System.nanoTime();
		long deadline = lastProgress + 20_000_000_000L;
		boolean stalled = false;
		while (written < (256L << 20) && System.nanoTime() < deadline) {
			int n = write(socket, frame);
			written += n;
			if (n > 0) {
				lastProgress = System.nanoTime();
			}
			else if (System.nanoTime() - lastProgress > 1_000_000_000L) {
				stalled = true;
				break;
			}
			else {
				LockSupport.parkNanos(1_000_000);
			}
		}
		assertThat(stalled).as("the gateway stopped reading the client (accepted " + written + " bytes)").isTrue();
		assertThat(written).as("bytes accepted before the stall").isLessThan(96L << 20);
		return written;
	}

	// ---------------------------------------------------------------- 4. slowloris

	@Test
	@Order(4)
	void slowlorisHandshakesDoNotDelayANormalClient() throws Exception {
		byte[] head = ("GET /echo HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n")
			.getBytes(StandardCharsets.ISO_8859_1);
		List<Socket> sockets = new ArrayList<>();
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
		AtomicInteger bytesSent = new AtomicInteger();
		AtomicInteger writeFailures = new AtomicInteger();
		try {
			for (int i = 0; i < 50; i++) {
				Socket socket = new Socket();
				socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
				socket.setTcpNoDelay(true);
				sockets.add(socket);
			}
			ticker.scheduleAtFixedRate(() -> {
				int next = bytesSent.get();
				if (next >= head.length - 1) {
					return; // never complete the head
				}
				for (Socket socket : sockets) {
					try {
						socket.getOutputStream().write(head[next]);
					}
					catch (IOException ex) {
						writeFailures.incrementAndGet();
					}
				}
				bytesSent.incrementAndGet();
			}, 0, 200, TimeUnit.MILLISECONDS);
			await().atMost(Duration.ofSeconds(5)).until(() -> bytesSent.get() >= 3);

			long worstMs = 0;
			for (int round = 0; round < 3; round++) {
				int before = bytesSent.get();
				long start = System.nanoTime();
				try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/echo"))) {
					client.sendText("round-" + round);
					assertThat(client.nextText()).isEqualTo("round-" + round);
					client.close(1000, "done");
					assertThat(client.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1000);
				}
				worstMs = Math.max(worstMs, millisSince(start));
				// The slow handshakes keep dripping between the rounds.
				await().atMost(Duration.ofSeconds(5)).until(() -> bytesSent.get() >= before + 2);
			}
			System.out.printf("FAULT slowloris: 50 sockets at 1 byte/200 ms, %d head bytes each sent (of %d), %d write failures; "
					+ "worst normal session %d ms%n", bytesSent.get(), head.length, writeFailures.get(), worstMs);
			assertThat(worstMs).as("worst normal session (handshake, echo, close) during the slowloris").isLessThan(3_000);
		}
		finally {
			ticker.shutdownNow();
			ticker.awaitTermination(5, TimeUnit.SECONDS);
			for (Socket socket : sockets) {
				socket.close();
			}
		}
	}

	// ---------------------------------------------------------------- 5. garbage

	@Test
	@Order(5)
	void garbageConnectionsDoNotDisturbANormalClientNorLogErrors(CapturedOutput output) throws Exception {
		String marker = "FAULT-GARBAGE-" + System.nanoTime();
		Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
		Queue<String> normalFailures = new ConcurrentLinkedQueue<>();
		ExecutorService pool = Executors.newFixedThreadPool(50);
		long start = System.nanoTime();
		long worstEchoMs = 0;
		long worstFreshMs = 0;
		System.out.println(marker + " start");
		try (TestClient normal = TestClient.connect(gateway.wsUrl("edge", "/echo"))) {
			// Ten rounds of 100 connections, 50 at a time; during each round the long-lived session and a
			// fresh one must both get their echoes.
			for (int round = 0; round < 10; round++) {
				List<Future<?>> tasks = new ArrayList<>();
				for (int i = 0; i < 100; i++) {
					int index = round * 100 + i;
					tasks.add(pool.submit(() -> {
						String outcome = garbage(index, new Random(index));
						outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
					}));
				}
				long sent = System.nanoTime();
				normal.sendText("alive-" + round);
				Frame echoed = normal.frames.poll(5, TimeUnit.SECONDS);
				worstEchoMs = Math.max(worstEchoMs, millisSince(sent));
				if (echoed == null || !echoed.text().equals("alive-" + round)) {
					normalFailures.add("round " + round + ": long-lived session got " + echoed);
				}
				long freshStart = System.nanoTime();
				try (TestClient fresh = TestClient.connect(gateway.wsUrl("edge", "/echo"))) {
					fresh.sendText("fresh-" + round);
					Frame freshEcho = fresh.frames.poll(5, TimeUnit.SECONDS);
					if (freshEcho == null || !freshEcho.text().equals("fresh-" + round)) {
						normalFailures.add("round " + round + ": fresh session got " + freshEcho);
					}
				}
				catch (RuntimeException ex) {
					normalFailures.add("round " + round + ": fresh session failed: " + ex);
				}
				worstFreshMs = Math.max(worstFreshMs, millisSince(freshStart));
				for (Future<?> task : tasks) {
					task.get(30, TimeUnit.SECONDS);
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		long floodMs = millisSince(start);
		System.out.println(marker + " end");
		String flood = between(output.getOut(), marker + " start", marker + " end");
		List<String> errors = flood.lines().filter(line -> line.contains(" ERROR ")).toList();
		List<String> warnings = flood.lines().filter(line -> line.contains(" WARN ")).toList();
		System.out.printf("FAULT garbage: 1000 connections in %d ms; worst echo on the long-lived session %d ms, worst fresh "
				+ "session %d ms; %d ERROR lines, %d WARN lines; %d output lines in all, %d of them '<filtered>' request "
				+ "header lines of the WARN entries%n", floodMs, worstEchoMs, worstFreshMs, errors.size(), warnings.size(),
				flood.lines().count(), flood.lines().filter(line -> line.contains("<filtered>")).count());
		toCounts(outcomes).forEach((outcome, count) -> System.out.println("FAULT garbage outcome: " + outcome + " x" + count));
		Map<String, Integer> warningKinds = new TreeMap<>();
		warnings.forEach(line -> warningKinds.merge(logMessage(line), 1, Integer::sum));
		warningKinds.forEach((kind, count) -> System.out.println("FAULT garbage WARN x" + count + ": " + kind));
		errors.stream().limit(10).forEach(line -> System.out.println("FAULT garbage ERROR: " + line));

		assertThat(normalFailures).isEmpty();
		assertThat(outcomes.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(1000);
		assertThat(errors).as("ERROR log lines during the flood").isEmpty();
		assertThat(outcomes.keySet()).as("valid handshakes were still upgraded during the flood")
			.anyMatch(outcome -> outcome.contains("upgraded"));
		assertThat(outcomes.keySet()).as("malformed handshakes (all but k3, HTTP/1.0, and k12-k15) were never upgraded")
			.noneMatch(outcome -> outcome.matches("k([0-24-9]|1[01]) .*HTTP 101.*"));
		assertThat(outcomes.keySet()).as("an unmasked client frame fails the connection with 1002")
			.filteredOn(outcome -> outcome.startsWith("k13 "))
			.containsOnly("k13 upgraded, then close 1002 eof");
	}

	/**
	 * RFC 6455 section 4.2.1 (an opening handshake is "an HTTP/1.1 or higher GET request") and RFC 9110
	 * section 7.8 (a server MUST ignore Upgrade in an HTTP/1.0 request): an HTTP/1.0 request is not a
	 * WebSocket handshake and must not be upgraded, nor reach a backend.
	 */
	@Test
	@Order(7)
	void http10UpgradeIsNotAWebSocketHandshake() throws Exception {
		int handshakesBefore = echo.handshakes.size();
		RawHttp.Response response = RawHttp.send(port, "GET /echo HTTP/1.0\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isBetween(400, 499);
		assertThat(echo.handshakes).hasSize(handshakesBefore);
	}

	/** One garbage connection; returns how the gateway answered. */
	private String garbage(int index, Random random) {
		int kind = index % 16;
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
			socket.setSoTimeout(300);
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			String prefix = "k" + kind + " ";
			String upgrade = "GET /echo HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n";
			switch (kind) {
				case 0 -> out.write(randomBytes(random, 1 + random.nextInt(4096)));
				case 1 -> out.write(latin1("GET /echo HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
						+ "Sec-WebSocket-Version: 13\r\n\r\n"));
				case 2 -> out.write(latin1("GET /echo HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
						+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"));
				case 3 -> out.write(latin1("GET /echo HTTP/1.0\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n"));
				case 4 -> out.write(latin1("GET /echo HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "X-Absurd: "
						+ "a".repeat(100_000) + "\r\n\r\n"));
				case 5 -> {
					StringBuilder many = new StringBuilder("GET /echo HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
					for (int i = 0; i < 3_000; i++) {
						many.append("X-H").append(i).append(": v\r\n");
					}
					out.write(latin1(many.append("\r\n").toString()));
				}
				case 6 -> {
					out.write(latin1("GET /echo HTTP/1.1\r\n"));
					out.write(randomBytes(random, 200));
					out.write(latin1("\r\n\r\n"));
				}
				case 7 -> out.write(latin1("\u0000\u0001BREW /echo HTCPCP/9.9\r\nHost: \u00ff\u00fe\r\n\r\n"));
				case 8 -> out.write(latin1("GET /echo HTTP/1.1\r\nHost: gw\r\nBad Header Name: x\r\nUpgrade websocket\r\n"
						+ "Connection: Upgrade\r\n\r\n"));
				case 9 -> out.write(latin1("GET /echo HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS
						+ "Transfer-Encoding: chunked\r\nContent-Length: -5\r\n\r\nzz\r\n" + "garbage"));
				case 10 -> out.write(latin1("GET /echo HTTP/1.1\r\nHost: gw\r\nUpgr")); // then nothing
				case 11 -> out.write(latin1("GET /nowhere HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n"));
				default -> {
					// A valid upgrade, then bad frames.
					out.write(latin1(upgrade));
					socket.setSoTimeout(5_000); // a valid handshake waits for its 101 (see clientResetDuringTheUpgrade...)
					String head = readHead(in);
					socket.setSoTimeout(300);
					if (!head.startsWith("HTTP/1.1 101")) {
						return prefix + "upgrade refused: " + statusOf(head);
					}
					switch (kind) {
						case 12 -> out.write(randomBytes(random, 1 + random.nextInt(2048)));
						case 13 -> out.write(new byte[] { (byte) 0x81, 0x05, 'h', 'e', 'l', 'l', 'o' }); // unmasked
						case 14 -> out.write(new byte[] { (byte) 0x82, (byte) 0xFF, 0x7F, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 1, 2 });
						default -> out.write(new byte[] { (byte) 0xC3, (byte) 0x80, 0, 0, 0, 0 }); // RSV1 + reserved opcode
					}
					return prefix + "upgraded, then " + readRest(in);
				}
			}
			if (kind == 3) {
				socket.setSoTimeout(5_000); // upgraded (see http10UpgradeIsNotAWebSocketHandshake): wait for the 101
			}
			String response = readRest(in);
			return prefix + response;
		}
		catch (IOException ex) {
			return "k" + kind + " io: " + ex.getClass().getSimpleName();
		}
	}

	/**
	 * A client that resets its connection while the gateway is upgrading it (a client-side handshake
	 * timeout, a mobile client losing its network) is routine: the gateway must drop the backend
	 * connection quietly. An ERROR with a stack trace per such client lets any client flood the error
	 * log at will. The reset races with the backend's 101, so a few rounds are run.
	 */
	@Test
	@Order(9)
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

	// ---------------------------------------------------------------- 6. burst

	@Test
	@Order(6)
	void burstOf2000SessionsLeaksNoSessionsNorFileDescriptors(CapturedOutput output) throws Exception {
		MeterRegistry registry = gateway.bean(MeterRegistry.class);
		String path = "/burst";
		AtomicInteger peak = new AtomicInteger();
		Queue<String> errors = new ConcurrentLinkedQueue<>();
		// Warm-up: class loading, pooled buffers, the burst pool's meters.
		runSessions(path, 50, 10, registry, peak, errors);
		assertThat(errors).as("warm-up errors").isEmpty();
		await().atMost(Duration.ofSeconds(10)).until(() -> active(registry, burst.port()) == 0);
		await().atMost(Duration.ofSeconds(10)).until(() -> burst.sessions.stream().allMatch(s -> s.disconnected.isDone()));
		long baseline = openFileDescriptors();
		burst.sessions.clear();
		peak.set(0);

		String marker = "FAULT-BURST-" + System.nanoTime();
		System.out.println(marker + " start");
		long start = System.nanoTime();
		runSessions(path, 2_000, 50, registry, peak, errors);
		long burstMs = millisSince(start);
		long fdRightAfter = openFileDescriptors();

		long settleStart = System.nanoTime();
		await().atMost(Duration.ofSeconds(10)).until(() -> active(registry, burst.port()) == 0);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> burst.sessions.stream().allMatch(s -> s.disconnected.isDone()));
		await().atMost(Duration.ofSeconds(10)).until(() -> openFileDescriptors() <= baseline + 20);
		long settleMs = millisSince(settleStart);
		long fdAfter = openFileDescriptors();
		System.out.println(marker + " end");
		String log = between(output.getOut(), marker + " start", marker + " end");
		long errorLines = log.lines().filter(line -> line.contains(" ERROR ")).count();
		long warnLines = log.lines().filter(line -> line.contains(" WARN ")).count();
		System.out.printf("FAULT burst: 2000 sessions (concurrency 50) in %d ms, %d errors, peak active gauge %d, "
				+ "gauge now %.0f (other non-zero gauges: %s), backend sessions %d, fds baseline %d / right after %d / after %d ms settle %d, "
				+ "%d ERROR and %d WARN log lines%n", burstMs, errors.size(), peak.get(), active(registry, burst.port()),
				registry.find(ACTIVE).gauges().stream().filter(gauge -> gauge.value() != 0)
					.map(gauge -> gauge.getId().getTag("server") + "=" + gauge.value()).toList(), burst.sessions.size(), baseline,
				fdRightAfter, settleMs, fdAfter, errorLines, warnLines);
		errors.stream().limit(10).forEach(error -> System.out.println("FAULT burst error: " + error));

		assertThat(errors).isEmpty();
		assertThat(burst.sessions).hasSize(2_000);
		assertThat(peak.get()).as("the gauge counted the sessions while they were open").isPositive();
		assertThat(active(registry, burst.port())).isZero();
		assertThat(fdAfter).isLessThanOrEqualTo(baseline + 20);
		assertThat(errorLines).as("ERROR log lines during the burst").isZero();
	}

	/** Runs sessions (handshake, one echo, close 1000) with the given concurrency; failures go to errors. */
	private void runSessions(String path, int count, int concurrency, MeterRegistry registry, AtomicInteger peak,
			Queue<String> errors) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(concurrency);
		AtomicInteger next = new AtomicInteger();
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int w = 0; w < concurrency; w++) {
				workers.add(pool.submit(() -> {
					int n;
					while ((n = next.getAndIncrement()) < count) {
						try {
							oneSession(path, "burst-" + n, registry, peak);
						}
						catch (Throwable ex) {
							errors.add("session " + n + ": " + ex);
						}
					}
				}));
			}
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * One session with a plain blocking socket (cheaper than a Reactor Netty client, so the two CPUs go
	 * to the gateway): handshake, one masked text frame and its echo, close 1000 both ways, then the
	 * gateway closes the TCP connection.
	 */
	private void oneSession(String path, String message, MeterRegistry registry, AtomicInteger peak) throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
			socket.setSoTimeout(5_000);
			socket.setTcpNoDelay(true);
			OutputStream out = socket.getOutputStream();
			DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
			out.write(latin1("GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n"));
			String head = readHead(in);
			if (!head.startsWith("HTTP/1.1 101")) {
				throw new AssertionError("handshake answered " + statusOf(head));
			}
			byte[] payload = message.getBytes(StandardCharsets.UTF_8);
			out.write(maskedFrame(0x1, payload));
			RawFrame echoed = RawFrame.read(in);
			if (echoed.opcode() != 0x1 || !Arrays.equals(echoed.payload(), payload)) {
				throw new AssertionError("expected echo " + message + ", got " + echoed);
			}
			peak.accumulateAndGet((int) active(registry, burst.port()), Math::max);
			out.write(maskedFrame(0x8, new byte[] { 0x03, (byte) 0xE8, 'o', 'k' }));
			RawFrame close = RawFrame.read(in);
			if (close.opcode() != 0x8 || close.closeCode() != 1000) {
				throw new AssertionError("expected close 1000, got " + close);
			}
			if (in.read() != -1) {
				throw new AssertionError("data after the close frame");
			}
		}
	}

	/** A server frame (unmasked). */
	private record RawFrame(int opcode, byte[] payload) {

		static RawFrame read(DataInputStream in) throws IOException {
			int first = in.readUnsignedByte();
			int second = in.readUnsignedByte();
			long length = second & 0x7F;
			if (length == 126) {
				length = in.readUnsignedShort();
			}
			else if (length == 127) {
				length = in.readLong();
			}
			if ((second & 0x80) != 0) {
				throw new IOException("the server masked a frame");
			}
			return new RawFrame(first & 0x0F, in.readNBytes((int) length));
		}

		int closeCode() {
			return (payload.length >= 2) ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
		}

		@Override
		public String toString() {
			return "opcode " + opcode + " [" + new String(payload, StandardCharsets.UTF_8) + "]";
		}
	}

	/** A final client frame, masked with a random key. */
	private static byte[] maskedFrame(int opcode, byte[] payload) {
		if (payload.length > 125) {
			throw new IllegalArgumentException("short frames only");
		}
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		byte[] frame = new byte[2 + 4 + payload.length];
		frame[0] = (byte) (0x80 | opcode);
		frame[1] = (byte) (0x80 | payload.length);
		System.arraycopy(mask, 0, frame, 2, 4);
		for (int i = 0; i < payload.length; i++) {
			frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
		}
		return frame;
	}

	/** The active-sessions gauge of the server on this port. */
	private static double active(MeterRegistry registry, int serverPort) {
		String server = ":" + serverPort;
		return registry.find(ACTIVE).gauges().stream()
			.filter(gauge -> gauge.getId().getTag("server") != null && gauge.getId().getTag("server").endsWith(server))
			.mapToDouble(Gauge::value)
			.sum();
	}

	private static long openFileDescriptors() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		}
	}

	// ---------------------------------------------------------------- helpers

	private RawHttp.Response rawUpgrade(String path) throws IOException {
		return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
	}

	private static long millisSince(long nanos) {
		return (System.nanoTime() - nanos) / 1_000_000;
	}

	private static int write(SocketChannel socket, ByteBuffer frame) throws IOException {
		int n = socket.write(frame);
		if (!frame.hasRemaining()) {
			frame.rewind();
		}
		return n;
	}



	/** Reads a response head (bounded); the part before the blank line, or what came before EOF/timeout. */
	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		try {
			int b;
			while (head.size() < 16_384 && (b = in.read()) != -1) {
				head.write(b);
				String text = head.toString(StandardCharsets.ISO_8859_1);
				if (text.endsWith("\r\n\r\n")) {
					return text;
				}
			}
		}
		catch (SocketTimeoutException ex) {
			// what came so far
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	/** Reads until EOF, reset or timeout (bounded) and sums up what came: a status line and/or a close frame. */
	private static String readRest(InputStream in) {
		ByteArrayOutputStream data = new ByteArrayOutputStream();
		String end;
		byte[] buffer = new byte[4096];
		try {
			int n;
			end = "eof";
			while ((n = in.read(buffer)) != -1) {
				data.write(buffer, 0, n);
				if (data.size() > 65_536) {
					break;
				}
				if (completeResponse(data.toString(StandardCharsets.ISO_8859_1))) {
					end = "answered";
					break;
				}
			}
		}
		catch (SocketTimeoutException ex) {
			end = "timeout";
		}
		catch (IOException ex) {
			end = "reset";
		}
		byte[] bytes = data.toByteArray();
		String text = new String(bytes, StandardCharsets.ISO_8859_1);
		if (text.startsWith("HTTP/")) {
			return statusOf(text) + " " + end;
		}
		// A server close frame: 0x88, length, code.
		if (bytes.length >= 4 && (bytes[0] & 0xFF) == 0x88) {
			return "close " + (((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF)) + " " + end;
		}
		return (bytes.length == 0 ? "nothing" : "other data") + " " + end;
	}

	/** Whether the text holds a whole HTTP response (head and Content-Length body); 101 has no body. */
	private static boolean completeResponse(String text) {
		int headEnd = text.indexOf("\r\n\r\n");
		if (!text.startsWith("HTTP/") || headEnd < 0) {
			return false;
		}
		Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)")
			.matcher(text.substring(0, headEnd));
		return !length.find() || text.length() >= headEnd + 4 + Integer.parseInt(length.group(1));
	}

	private static String statusOf(String head) {
		int firstLine = head.indexOf("\r\n");
		String line = (firstLine > 0) ? head.substring(0, firstLine) : head;
		String[] parts = line.split(" ");
		return (parts.length > 1) ? "HTTP " + parts[1] : "'" + line + "'";
	}

	private static byte[] randomBytes(Random random, int size) {
		byte[] bytes = new byte[size];
		random.nextBytes(bytes);
		return bytes;
	}

	private static byte[] latin1(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	/**
	 * The captured output between two marker lines. The extension stacks one capture per class and one
	 * per test, which can repeat lines; the last occurrences delimit one copy.
	 */
	private static String between(String output, String startMarker, String endMarker) {
		int end = output.lastIndexOf(endMarker);
		int start = output.lastIndexOf(startMarker, end);
		assertThat(start).as("start marker captured").isNotNegative();
		return output.substring(start, end);
	}

	/** The logger and the first exception named in a log line (else its message's start), to group lines. */
	private static String logMessage(String line) {
		Matcher parts = Pattern.compile("--- \\[[^\\]]*\\] \\[[^\\]]*\\] (\\S+)\\s*: (.*)")
			.matcher(line);
		if (!parts.find()) {
			return line;
		}
		Matcher exception = Pattern.compile("[A-Za-z]+(Exception|Error)(: [^),]{0,50})?")
			.matcher(parts.group(2));
		return parts.group(1) + ": " + (exception.find() ? exception.group()
				: parts.group(2).substring(0, Math.min(parts.group(2).length(), 100)));
	}

	private static Map<String, Integer> toCounts(Map<String, AtomicInteger> counts) {
		Map<String, Integer> plain = new TreeMap<>();
		counts.forEach((key, value) -> plain.put(key, value.get()));
		return plain;
	}

	private static ServerSocket openHanging() {
		try {
			return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Accepts WebSocket handshakes and answers each with a 101 only when the test says so. */
	private static final class SlowHandshakeBackend implements AutoCloseable {

		/** A handshake the backend has read and not answered yet. */
		static final class Pending {

			private final Socket socket;

			private final String key;

			/** Completes when the gateway has closed this connection. */
			final CompletableFuture<Void> closed = new CompletableFuture<>();

			Pending(Socket socket, String key) {
				this.socket = socket;
				this.key = key;
			}

			/** Answers 101, then waits in the background for the gateway to close the connection. */
			void answer101() throws Exception {
				byte[] sha1 = MessageDigest.getInstance("SHA-1")
					.digest(latin1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
				socket.getOutputStream().write(latin1("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
						+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1)
						+ "\r\n\r\n"));
				daemon(() -> {
					try (socket) {
						InputStream in = socket.getInputStream();
						while (in.read() != -1) {
							// whatever the gateway sends before it closes
						}
						closed.complete(null);
					}
					catch (IOException ex) {
						closed.complete(null); // reset by the gateway: closed as well
					}
				});
			}
		}

		private final ServerSocket server = openHanging();

		private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();

		SlowHandshakeBackend() {
			daemon(() -> {
				while (!server.isClosed()) {
					try {
						Socket socket = server.accept();
						daemon(() -> read(socket));
					}
					catch (IOException ex) {
						// closed
					}
				}
			});
		}

		private void read(Socket socket) {
			try {
				socket.setSoTimeout(20_000);
				String head = readHead(socket.getInputStream());
				Matcher key = Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)").matcher(head);
				if (key.find()) {
					pending.add(new Pending(socket, key.group(1)));
				}
			}
			catch (IOException ex) {
				// the gateway gave up
			}
		}

		/** The next handshake the gateway sent. */
		Pending next() throws InterruptedException {
			Pending next = pending.poll(5, TimeUnit.SECONDS);
			assertThat(next).as("a handshake reached the slow backend").isNotNull();
			return next;
		}

		int port() {
			return server.getLocalPort();
		}

		private static void daemon(Runnable task) {
			Thread thread = new Thread(task, "slow-handshake-backend");
			thread.setDaemon(true);
			thread.start();
		}

		@Override
		public void close() throws IOException {
			server.close();
		}
	}
}
