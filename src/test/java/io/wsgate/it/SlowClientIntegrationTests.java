package io.wsgate.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.wsgate.it.Faults.active;
import static io.wsgate.it.Faults.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that are slow on purpose, with real sockets on loopback: a client that never reads, one that
 * never reads and then vanishes, and slowloris handshakes. Another client on the same gateway must
 * still be served promptly, and the stalled sessions must not leak.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientIntegrationTests {

	private final TestBackend echo = new TestBackend();

	/** An echo backend only for the session-leak check of a vanished non-reading client. */
	private final TestBackend stallEcho = new TestBackend();

	private Gateway gateway;

	private int port;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /echo", "echo", "ws://127.0.0.1:${echo}", "clientMaxMsgSize: -1, serverMaxMsgSize: -1")
			.proxy("path: /stall-echo", "stall-echo", "ws://127.0.0.1:${stallEcho}", "clientMaxMsgSize: -1, serverMaxMsgSize: -1")
			.start(Map.of("echo", echo.port(), "stallEcho", stallEcho.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() {
		gateway.close();
		echo.close();
		stallEcho.close();
	}

	@Test
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

	@Test
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

	private static int write(SocketChannel socket, ByteBuffer frame) throws IOException {
		int n = socket.write(frame);
		if (!frame.hasRemaining()) {
			frame.rewind();
		}
		return n;
	}
}
