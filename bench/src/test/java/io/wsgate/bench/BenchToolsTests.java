package io.wsgate.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

import io.wsgate.bench.Bench.CpuClock;
import io.wsgate.bench.Bench.HandshakeResult;
import io.wsgate.bench.Bench.LoadResult;
import io.wsgate.bench.Bench.StormResult;
import io.wsgate.demo.EchoBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's tools still do what {@code bench/run.sh} counts on: the load generator, the
 * handshake counter and the storm through the reference relay, over real sockets, in a second or two each.
 */
class BenchToolsTests {

	private static final CpuClock NO_CPU = CpuClock.of("", 100);

	private static EchoBackend first;

	private static EchoBackend second;

	private static NettyRelay relay;

	@BeforeAll
	static void start() throws InterruptedException {
		first = new EchoBackend(0);
		second = new EchoBackend(0);
		first.start();
		second.start();
		relay = NettyRelay.start(0, List.of(first.port(), second.port()));
	}

	@AfterAll
	static void stop() {
		relay.stop();
		first.stop();
		second.stop();
	}

	@Test
	void loadThroughTheRelayIsEchoedAndTimed() throws InterruptedException {
		for (boolean text : new boolean[] { false, true }) {
			// The counted second starts after a second for the connections to open: a loaded machine needs it.
			LoadResult result = Bench.load(relayUrl(), 4, 4, 64, Duration.ofSeconds(1), Duration.ofSeconds(1), text, false,
					NO_CPU);

			assertThat(result.errors()).as("text " + text).isZero();
			assertThat(result.messages()).as("text " + text).isPositive();
			assertThat(result.p50Micros()).as("text " + text).isPositive().isLessThanOrEqualTo(result.p99Micros());
			assertThat(result.cpuMicros()).isEqualTo(-1);
			assertThat(result.compressedConnections()).isZero();
		}
	}

	/**
	 * {@code COMPRESSION=1}: the load client and the echo backends negotiate permessage-deflate through the
	 * proxy (the relay passes the handshake headers, as nginx and HAProxy do), and each connection reports it.
	 */
	@Test
	void compressedLoadThroughTheRelayNegotiatesPermessageDeflate() throws InterruptedException {
		EchoBackend compressing = new EchoBackend("compressing", 0, true);
		compressing.start();
		NettyRelay toCompressing = NettyRelay.start(0, List.of(compressing.port()));
		try {
			LoadResult result = Bench.load(URI.create("ws://127.0.0.1:" + toCompressing.port() + "/ws"), 4, 4, 4096,
					Duration.ofSeconds(1), Duration.ofSeconds(1), true, true, NO_CPU);

			assertThat(result.errors()).isZero();
			assertThat(result.messages()).isPositive();
			assertThat(result.compressedConnections()).as("connections that negotiated permessage-deflate").isEqualTo(4);
		}
		finally {
			toCompressing.stop();
			compressing.stop();
		}
	}

	@Test
	void handshakesThroughTheRelayAreCountedWithTheirCpu() {
		HandshakeResult result = Bench.handshakes(relayUrl(), 40, 4, 0,
				CpuClock.of(String.valueOf(ProcessHandle.current().pid()), 100));

		assertThat(result.handshakes()).isEqualTo(40);
		assertThat(result.errors()).isZero();
		assertThat(result.p50Millis()).isPositive();
		assertThat(result.cpuMicros()).as("CPU of this process, watched").isPositive();
	}

	@Test
	void aHandshakeTheRelayCannotCompleteCountsAsAnError() throws Exception {
		try (Socket refusing = refusing()) {
			NettyRelay nowhere = NettyRelay.start(0, List.of(refusing.getLocalPort()));
			try {
				HandshakeResult result = Bench.handshakes(URI.create("ws://127.0.0.1:" + nowhere.port() + "/ws"), 3, 1, 0,
						NO_CPU);
				assertThat(result.handshakes()).isZero();
				assertThat(result.errors()).isEqualTo(3);
			}
			finally {
				nowhere.stop();
			}
		}
	}

	/**
	 * {@code storm}: every client opens, echoes and stays open until the report, which carries the figures
	 * bench/run.sh and report.py read; the CPU watched includes the watched process's descendants.
	 */
	@Test
	void aStormThroughTheRelayOpensEverySessionAndReportsIt() throws Exception {
		StormResult result = Bench.storm(relayUrl(), 200, 32, 64,
				CpuClock.of(String.valueOf(ProcessHandle.current().pid()), 100));

		assertThat(result.sessions()).isEqualTo(200);
		assertThat(result.opened()).isEqualTo(200);
		assertThat(result.openNow()).isEqualTo(200);
		assertThat(result.failed()).isZero();
		assertThat(result.absorbSeconds()).isPositive();
		assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p99Millis());
		assertThat(result.p99Millis()).isLessThanOrEqualTo(result.maxMillis());
		assertThat(result.cpuMicros()).as("CPU of this process, watched").isPositive();
		assertThat(result.backendCpuMicros()).as("no backend watched").isEqualTo(-1);
		assertThat(result.startToReadyMillis()).isEqualTo(-1);
		JsonNode json = new ObjectMapper().readTree(result.toJson());
		assertThat(json.propertyNames()).containsExactly("sessions", "opened", "openNow", "failed", "failures",
				"absorbSeconds", "sessionsPerSecond", "p50Millis", "p99Millis", "maxMillis", "cpuMicros",
				"cpuMicrosPerSession", "backendCpuMicros", "backendCpuMicrosPerSession", "startToReadyMillis");
		assertThat(json.get("backendCpuMicrosPerSession").asDouble()).isEqualTo(-1);
		assertThat(json.get("failures").propertyNames()).containsExactlyElementsOf(Bench.STORM_FAILURES);
		assertThat(json.get("sessionsPerSecond").asDouble()).isPositive();
		assertThat(json.get("cpuMicrosPerSession").asDouble()).isPositive();
	}

	@Test
	void aStormAtAPortThatRefusesCountsConnectFailures() throws Exception {
		try (Socket refusing = refusing()) {
			StormResult result = Bench.storm(URI.create("ws://127.0.0.1:" + refusing.getLocalPort() + "/ws"), 5, 2, 64,
					NO_CPU);

			assertThat(result.opened()).isZero();
			assertThat(result.failures()).containsEntry("connect", 5L);
			assertThat(result.failed()).isEqualTo(5);
			assertThat(result.absorbSeconds()).isEqualTo(-1);
		}
	}

	/** A socket bound and never listening: its port refuses connections, and nothing else can take it meanwhile. */
	private static Socket refusing() throws IOException {
		Socket socket = new Socket();
		socket.setReuseAddress(false);
		socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		return socket;
	}

	/**
	 * The command as bench/run.sh runs it: a client warm-up over the backends, then the start file written
	 * once the target is launched, the wait for its readiness (here an HTTP probe answering 200), the
	 * storm, and its JSON line after the waiting one.
	 */
	@Test
	void theStormCommandWaitsForTheStartFileAndTheReadinessProbe(@TempDir Path dir) throws Exception {
		HttpServer probe = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		probe.createContext("/ready", exchange -> {
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		probe.start();
		try {
			Path startFile = dir.resolve("storm.start");
			Instant launched = Instant.now();
			Files.writeString(startFile, "started=" + String.format("%d,%06d", launched.getEpochSecond(), launched.getNano() / 1000)
					+ "\npid=" + ProcessHandle.current().pid() + "\nurl=" + relayUrl() + "\nready=http://127.0.0.1:"
					+ probe.getAddress().getPort() + "/ready\n");
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			Bench.storm(Map.of("count", "50", "concurrency", "8", "warmup", "20", "warmup-urls",
					"ws://127.0.0.1:" + first.port() + "/ws,ws://127.0.0.1:" + second.port() + "/ws", "start-file",
					startFile.toString(), "backend-pids", String.valueOf(ProcessHandle.current().pid())),
					new PrintStream(out, true, StandardCharsets.UTF_8));

			List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
			assertThat(lines).hasSize(2);
			assertThat(lines.get(0)).isEqualTo("{\"phase\":\"waiting\"}");
			JsonNode json = new ObjectMapper().readTree(lines.get(1));
			assertThat(json.get("opened").asInt()).isEqualTo(50);
			assertThat(json.get("failed").asInt()).isZero();
			assertThat(json.get("startToReadyMillis").asDouble()).as("from the launch written in the file").isPositive();
			assertThat(json.get("cpuMicros").asLong()).as("the pid of the file, watched").isPositive();
			assertThat(json.get("backendCpuMicros").asLong()).as("the backends (here this process), watched").isPositive();
		}
		finally {
			probe.stop(0);
		}
	}

	private static URI relayUrl() {
		return URI.create("ws://127.0.0.1:" + relay.port() + "/ws");
	}
}
