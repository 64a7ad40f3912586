package io.wsgate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.wsgate.it.TestBackend.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.wsgate.it.Faults.between;
import static io.wsgate.it.Faults.latin1;
import static io.wsgate.it.Faults.millisSince;
import static io.wsgate.it.Faults.readHead;
import static io.wsgate.it.Faults.statusOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of garbage connections (random bytes, malformed and oversized handshakes, bad frames after a
 * valid upgrade) with real sockets on loopback: a normal client must keep being served, no valid
 * handshake refused, no malformed one upgraded, and no error logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class GarbageConnectionIntegrationTests {

	private final TestBackend echo = new TestBackend();

	private Gateway gateway;

	private int port;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /echo", "echo", "ws://127.0.0.1:${echo}", "clientMaxMsgSize: -1, serverMaxMsgSize: -1")
			.start(Map.of("echo", echo.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() {
		gateway.close();
		echo.close();
	}

	@Test
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

	private static byte[] randomBytes(Random random, int size) {
		byte[] bytes = new byte[size];
		random.nextBytes(bytes);
		return bytes;
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
}
