package io.wsgate.bench;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.wsgate.bench.Bench.CpuClock;
import io.wsgate.bench.Bench.HandshakeResult;
import io.wsgate.bench.Bench.LoadResult;
import io.wsgate.demo.EchoBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's tools still do what {@code bench/run.sh} counts on: the load generator and the
 * handshake counter through the reference relay, over real sockets, in a second or two each.
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
			LoadResult result = Bench.load(relayUrl(), 4, 4, 64, Duration.ofSeconds(1), Duration.ZERO, text, false,
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
		EchoBackend compressing = new EchoBackend(0, true);
		compressing.start();
		NettyRelay toCompressing = NettyRelay.start(0, List.of(compressing.port()));
		try {
			LoadResult result = Bench.load(URI.create("ws://127.0.0.1:" + toCompressing.port() + "/ws"), 4, 4, 4096,
					Duration.ofSeconds(1), Duration.ZERO, true, true, NO_CPU);

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
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		NettyRelay nowhere = NettyRelay.start(0, List.of(closedPort));
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

	private static URI relayUrl() {
		return URI.create("ws://127.0.0.1:" + relay.port() + "/ws");
	}
}
