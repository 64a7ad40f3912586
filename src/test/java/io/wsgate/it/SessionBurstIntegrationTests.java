package io.wsgate.it;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.wsgate.it.Faults.ACTIVE;
import static io.wsgate.it.Faults.active;
import static io.wsgate.it.Faults.between;
import static io.wsgate.it.Faults.latin1;
import static io.wsgate.it.Faults.millisSince;
import static io.wsgate.it.Faults.readHead;
import static io.wsgate.it.Faults.statusOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A burst of 2000 short sessions with real sockets on loopback: afterwards no session is left in the
 * gauge, no backend connection open, no file descriptor leaked, and no error logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class SessionBurstIntegrationTests {

	private final TestBackend burst = new TestBackend();

	private Gateway gateway;

	private int port;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /burst", "burst", "ws://127.0.0.1:${burst}")
			.start(Map.of("burst", burst.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() {
		gateway.close();
		burst.close();
	}

	@Test
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

	private static long openFileDescriptors() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		}
	}
}
