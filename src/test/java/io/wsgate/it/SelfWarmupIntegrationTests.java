package io.wsgate.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.wsgate.it.TestBackend.Frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code wsgate.warmup}: the gateway opens sessions through its own handshake path before it reports
 * ready, and none of them shows afterwards.
 */
@ExtendWith(OutputCaptureExtension.class)
class SelfWarmupIntegrationTests {

	private static final Pattern LOOPBACK_PORT = Pattern.compile("http server 'warm-up' listening on 127\\.0\\.0\\.1:(\\d+)");

	/** At least the sessions asked for: the second round goes on until the JIT compilers are quiet. */
	private static final Pattern SESSIONS_DONE = Pattern.compile("warm-up: (\\d+) sessions in \\d+ ms, 0 failed");

	private static final Pattern ECHO_PORTS = Pattern.compile("warm-up(?:-pair)? echo backend listening on ws://127\\.0\\.0\\.1:(\\d+)");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@Test
	void readinessStaysDownUntilTheWarmUpIsOverAndNothingOfItShowsAfterwards(CapturedOutput output) throws Exception {
		int management = freePort();
		try (TestBackend backend = new TestBackend()) {
			CompletableFuture<Gateway> starting = CompletableFuture.supplyAsync(() -> GatewayYaml.edge()
				.proxy("path: /ws", "chat", "ws://127.0.0.1:${backend}")
				.start(Map.of("backend", backend.port(), "management.server.port", management,
						"wsgate.warmup.enabled", true, "wsgate.warmup.sessions", 1000, "wsgate.warmup.concurrency", 16)));
			List<Integer> seen = new ArrayList<>();
			boolean warmedUpWhenReady = false;
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
			while (System.nanoTime() < deadline) {
				int status = readiness(management);
				if (seen.isEmpty() || seen.get(seen.size() - 1) != status) {
					seen.add(status);
				}
				if (status == 200) {
					warmedUpWhenReady = SESSIONS_DONE.matcher(output.getOut()).find();
					break;
				}
				Thread.sleep(20);
			}
			try (Gateway gateway = starting.get(60, TimeUnit.SECONDS)) {
				assertThat(seen).as("readiness answers while starting (-1: not listening yet)").contains(503).endsWith(200);
				assertThat(warmedUpWhenReady).as("the warm-up was over when readiness first said 200").isTrue();
				// Both routes (one server; two servers, no size limit, short timers) answered every session.
				Matcher done = SESSIONS_DONE.matcher(output.getOut());
				assertThat(done.find()).isTrue();
				assertThat(Integer.parseInt(done.group(1))).isGreaterThanOrEqualTo(1000);
				assertThat(output.getOut()).contains("warm-up: the compilers were quiet after");

				// Two rounds, each on a loopback listener and two echo backends of its own: all six are
				// gone, and nothing of the warm-up is in the meters or the status.
				List<Integer> loopbackPorts = new ArrayList<>();
				Matcher loopback = LOOPBACK_PORT.matcher(output.getOut());
				while (loopback.find()) {
					loopbackPorts.add(Integer.parseInt(loopback.group(1)));
				}
				Matcher echoes = ECHO_PORTS.matcher(output.getOut());
				while (echoes.find()) {
					loopbackPorts.add(Integer.parseInt(echoes.group(1)));
				}
				assertThat(loopbackPorts).hasSize(6);
				for (int port : loopbackPorts) {
					assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
						.isInstanceOf(ConnectException.class);
				}
				assertThat(gateway.management("/actuator/prometheus")).contains("wsgate_sessions_active")
					.doesNotContain("warm-up")
					.doesNotContain("outcome=\"upgraded\"");
				assertThat(gateway.management("/actuator/wsgate")).contains("\"chat\"").doesNotContain("warm-up");

				// The configured route works.
				try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
					client.sendText("after the warm-up");
					assertThat(client.nextFrame()).isEqualTo(new Frame("text", "after the warm-up".getBytes(), true));
				}
			}
		}
	}

	@Test
	void aWarmUpCutShortByMaxDurationStillLetsTheGatewayGoReady(CapturedOutput output) throws Exception {
		try (TestBackend backend = new TestBackend();
				Gateway gateway = GatewayYaml.edge()
					.proxy("path: /ws", "chat", "ws://127.0.0.1:${backend}")
					.start(Map.of("backend", backend.port(), "wsgate.warmup.enabled", true,
							"wsgate.warmup.sessions", 10_000_000, "wsgate.warmup.max-duration", "500ms"))) {
			assertThat(output.getOut()).contains("stopped at maxDuration (500ms)");
			assertThat(readiness(gateway.managementPort())).isEqualTo(200);
			try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
				client.sendText("ready anyway");
				assertThat(client.nextFrame().text()).isEqualTo("ready anyway");
			}
		}
	}

	/** The readiness probe's status; -1 while the management port does not accept yet. */
	private int readiness(int port) throws InterruptedException {
		try {
			return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}
}
