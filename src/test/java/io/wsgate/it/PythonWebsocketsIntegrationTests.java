package io.wsgate.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.wsgate.it.TestBackend.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * permessage-deflate through the gateway between two implementations: Python's websockets (its
 * default compression, window bits and all) on one side, Reactor Netty's on the other, both ways
 * round. Needs python3 with websockets (Debian: python3-websockets); without it the tests are
 * skipped, or fail when CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonWebsocketsIntegrationTests {

	private static final String INSTALL = "apt-get install -y python3-websockets";

	private final TestBackend compressing = new TestBackend().compress();

	private String python;

	private Path script;

	private Process pythonServer;

	private final BlockingQueue<String> serverLines = new LinkedBlockingQueue<>();

	private Gateway gateway;

	@BeforeAll
	void start() throws Exception {
		python = pythonWithWebsockets();
		if (python == null) {
			String message = "python3 cannot import websockets: " + INSTALL;
			if ("true".equals(System.getenv("CI"))) {
				fail(message + " (.ci/install-tools.sh does); CI must run this test");
			}
			assumeTrue(false, message + "; skipping");
		}
		script = Path.of(getClass().getResource("/interop/websockets_deflate.py").toURI());
		pythonServer = new ProcessBuilder(python, script.toString(), "server").redirectErrorStream(true).start();
		Thread reader = new Thread(() -> {
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(pythonServer.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line = out.readLine(); line != null; line = out.readLine()) {
					serverLines.add(line);
				}
			}
			catch (IOException ex) {
				// the process ended
			}
		}, "python-server-output");
		reader.setDaemon(true);
		reader.start();
		int pythonPort = JsonPath.read(nextServerLine(), "$.port");
		gateway = GatewayYaml.edge()
			.proxy("path: /netty", "netty", "ws://127.0.0.1:${netty}")
			.proxy("path: /python", "python", "ws://127.0.0.1:${python}")
			.start(Map.of("netty", compressing.port(), "python", pythonPort));
	}

	@AfterAll
	void stop() throws Exception {
		if (gateway != null) {
			gateway.close();
		}
		if (pythonServer != null) {
			pythonServer.getOutputStream().close();
			if (!pythonServer.waitFor(10, TimeUnit.SECONDS)) {
				pythonServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		compressing.close();
	}

	/**
	 * Python's client (offering permessage-deflate with client_max_window_bits) through the gateway to
	 * Reactor Netty's server: a 100 KB JSON text under the 32769-byte limit once compressed, binary,
	 * fragments with a ping between them, a ping answered; 40 KB of random bytes over the limit: 1009.
	 */
	@Test
	void pythonClientToANettyBackend() throws Exception {
		Path log = Files.createTempFile("websockets-client", ".log");
		Process client = new ProcessBuilder(python, script.toString(), "client", gateway.wsUrl("edge", "/netty"))
			.redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			assertThat(client.waitFor(90, TimeUnit.SECONDS)).as("the Python client finished").isTrue();
		}
		finally {
			client.destroyForcibly();
		}
		String output = Files.readString(log).trim();
		Files.delete(log);
		assertThat(client.exitValue()).as(output).isZero();
		String facts = output.lines().reduce((first, second) -> second).orElse("{}");
		assertThat((String) JsonPath.read(facts, "$.extensions")).startsWith("permessage-deflate");
		assertThat((Integer) JsonPath.read(facts, "$.roundTrips")).isEqualTo(3);
		assertThat((Integer) JsonPath.read(facts, "$.overLimit")).isEqualTo(1009);
		assertThat(compressing.lastHandshake().headers().get("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
	}

	/**
	 * Reactor Netty's client through the gateway to Python's server, whose answer (with its own
	 * window bits) reaches the client unchanged.
	 */
	@Test
	void nettyClientToAPythonBackend() throws Exception {
		byte[] binary = new byte[30_000];
		new Random(5).nextBytes(binary);
		String big = "{\"price\":101.25,\"size\":300,\"side\":\"buy\"},".repeat(2_500);
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/python"))) {
			String offer = JsonPath.read(nextServerLine(), "$.offer");
			assertThat(offer).startsWith("permessage-deflate").doesNotContain("deflate-frame");
			assertThat(client.responseHeaders().get("Sec-WebSocket-Extensions"))
				.startsWith("permessage-deflate").contains("server_max_window_bits=12");
			client.sendText(big);
			assertThat(client.nextText()).isEqualTo(big);
			client.sendBinary(binary);
			assertThat(client.nextFrame().data()).isEqualTo(binary);
			client.send(new TextWebSocketFrame(false, 0, "part one, "),
					new PingWebSocketFrame(Unpooled.copiedBuffer("between", StandardCharsets.UTF_8)),
					new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("part two", StandardCharsets.UTF_8)));
			List<Frame> back = new ArrayList<>(List.of(client.nextFrame(), client.nextFrame()));
			assertThat(back).extracting(Frame::type).containsExactly("pong", "text");
			assertThat(back.get(1).text()).isEqualTo("part one, part two");
		}
	}

	private String nextServerLine() throws InterruptedException {
		String line = serverLines.poll(15, TimeUnit.SECONDS);
		assertThat(line).as("a line from the Python server within 15 s").isNotNull();
		return line;
	}

	/** python3 on the PATH, else Debian's own (where python3-websockets installs), if it imports websockets. */
	private static String pythonWithWebsockets() {
		for (String candidate : List.of("python3", "/usr/bin/python3")) {
			try {
				Process probe = new ProcessBuilder(candidate, "-c", "import websockets").redirectErrorStream(true).start();
				if (probe.waitFor(15, TimeUnit.SECONDS) && probe.exitValue() == 0) {
					return candidate;
				}
				probe.destroyForcibly();
			}
			catch (IOException | InterruptedException ex) {
				// not this one
			}
		}
		return null;
	}
}
