package io.wsgate.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis for the tests: Debian's {@code redis-server}, started on a free loopback port,
 * without persistence. Missing, the test is skipped, except on CI ({@code CI=true}), where it fails:
 * {@code .ci/install-tools.sh} installs it.
 */
public final class RedisServer implements AutoCloseable {

	static final String INSTALL = "apt-get install -y redis-server (or run .ci/install-tools.sh)";

	private final String binary;

	private final Path dir;

	private int port;

	private Process process;

	private RedisServer(String binary) throws IOException {
		this.binary = binary;
		this.dir = Files.createTempDirectory("wsgate-redis");
	}

	/** Starts a Redis on a free port (skipped, or failed on CI, when redis-server is missing). */
	public static RedisServer start() throws IOException {
		String binary = find();
		if (binary == null) {
			if ("true".equals(System.getenv("CI"))) {
				Assertions.fail("redis-server is missing: " + INSTALL);
			}
			Assumptions.abort("redis-server is missing: " + INSTALL);
		}
		RedisServer redis = new RedisServer(binary);
		// Redis cannot bind port 0: take a free one and retry if another process takes it first.
		for (int attempt = 1; ; attempt++) {
			redis.port = freePort();
			if (redis.startOnPort()) {
				return redis;
			}
			if (attempt == 5) {
				throw new IllegalStateException("redis-server did not start on a free port in 5 attempts");
			}
		}
	}

	public int port() {
		return port;
	}

	/** Stops it (the gateway then meets an outage). */
	public void stop() throws InterruptedException {
		if (process != null) {
			process.destroy();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			process = null;
		}
	}

	/** Starts it again on the same port. */
	public void restart() throws IOException {
		if (!startOnPort()) {
			throw new IllegalStateException("redis-server did not start again on port " + port);
		}
	}

	@Override
	public void close() throws Exception {
		stop();
		try (var files = Files.walk(dir)) {
			files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
	}

	private boolean startOnPort() throws IOException {
		process = new ProcessBuilder(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--dir", dir.toString()))
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("redis.log").toFile())
			.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive() || answersPing());
		if (!process.isAlive()) {
			process = null;
			return false;
		}
		return true;
	}

	private boolean answersPing() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			byte[] reply = in.readNBytes(7);
			return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static String find() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			File candidate = new File(dir, "redis-server");
			if (candidate.canExecute()) {
				return candidate.getPath();
			}
		}
		File sbin = new File("/usr/bin/redis-server");
		return sbin.canExecute() ? sbin.getPath() : null;
	}
}
