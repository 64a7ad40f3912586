package io.wsgate.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.wsgate.WsgateApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image's AOT cache training ({@code src/main/docker/train-aot.sh}, run by the Dockerfile, which
 * cannot be built here): on the image's JDK and JVM options, with the application as jars (as the
 * image has it), the script runs the gateway with its self warm-up, stops it once ready, and leaves a
 * cache that a JVM then starts with ({@code -XX:AOTMode=on} refuses to start on a cache it cannot use).
 * Skipped when no JDK 25 or later is found.
 */
class AotTrainingScriptTests {

	private static final Pattern IMAGE_OPTIONS = Pattern.compile("^ENV JDK_JAVA_OPTIONS=\"(.*)\"$", Pattern.MULTILINE);

	@TempDir
	Path dir;

	@Test
	void theTrainedCacheIsWrittenAndAJvmStartsWithIt() throws Exception {
		Path java = Jdks.jdk25().orElse(null);
		assumeTrue(java != null, "no JDK 25 or later found (java.home, JAVA25_HOME, /usr/lib/jvm)");
		Matcher image = IMAGE_OPTIONS.matcher(Files.readString(Path.of("Dockerfile")));
		assertThat(image.find()).as("the Dockerfile's JDK_JAVA_OPTIONS").isTrue();
		String classPath = classPath();
		Path config = dir.resolve("application.yml");
		Files.writeString(config, GatewayYaml.edge().proxy("path: /ws", "p", "ws://127.0.0.1:1").build());
		Path cache = dir.resolve("wsgate.aot");
		List<String> application = List.of("io.wsgate.WsgateApplication",
				"--spring.config.location=classpath:/application.yml,file:" + config, "--logging.level.root=warn",
				"--logging.level.io.wsgate.warmup=info");

		List<String> training = new ArrayList<>(List.of("bash", "src/main/docker/train-aot.sh", cache.toString(), "-cp",
				classPath));
		training.addAll(application);
		training.add("--wsgate.warmup.sessions=300");
		ProcessBuilder trainer = new ProcessBuilder(training).redirectErrorStream(true)
			.redirectOutput(dir.resolve("training.log").toFile());
		trainer.environment().put("JAVA", java.toString());
		trainer.environment().put("TRAIN_MANAGEMENT_PORT", Integer.toString(freePort()));
		trainer.environment().put("JDK_JAVA_OPTIONS", image.group(1));
		Process process = trainer.start();
		boolean ended = process.waitFor(5, TimeUnit.MINUTES);
		String log = Files.readString(dir.resolve("training.log"));
		if (!ended) {
			process.destroyForcibly();
		}
		assertThat(ended).as("training ended; its output:\n" + log).isTrue();
		assertThat(process.exitValue()).as(log).isZero();
		assertThat(log).containsPattern("warm-up: \\d+ sessions in \\d+ ms, 0 failed").contains("train-aot: ")
			.contains("written to " + cache);
		assertThat(Files.size(cache)).isGreaterThan(10L << 20);

		int management = freePort();
		List<String> run = new ArrayList<>(List.of(java.toString(), "-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-cp",
				classPath));
		run.addAll(application);
		run.add("--management.server.port=" + management);
		ProcessBuilder starter = new ProcessBuilder(run).redirectErrorStream(true)
			.redirectOutput(dir.resolve("run.log").toFile());
		starter.environment().put("JDK_JAVA_OPTIONS", image.group(1));
		Process gateway = starter.start();
		try {
			assertThat(awaitReady(gateway, management)).as(() -> "ready with the cache; its output:\n" + read("run.log"))
				.isTrue();
			assertThat(read("run.log")).doesNotContain("[error]").doesNotContain("Unable to use");
		}
		finally {
			gateway.destroy();
			if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
				gateway.destroyForcibly();
			}
		}
	}

	/** The application as the image has it: its classes in a jar, with the jars it depends on. */
	private String classPath() throws IOException {
		Path classes = Path.of(WsgateApplication.class.getProtectionDomain().getCodeSource().getLocation().getPath());
		Path jar = dir.resolve("wsgate.jar");
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
				Stream<Path> files = Files.walk(classes)) {
			for (Path file : files.filter(path -> !path.equals(classes)).sorted().toList()) {
				String name = classes.relativize(file).toString().replace(File.separatorChar, '/');
				// Directory entries too, as the jar tool writes them: Spring's component scan lists packages.
				boolean directory = Files.isDirectory(file);
				out.putNextEntry(new JarEntry(directory ? name + "/" : name));
				if (!directory) {
					try (InputStream in = Files.newInputStream(file)) {
						in.transferTo(out);
					}
				}
				out.closeEntry();
			}
		}
		List<String> entries = new ArrayList<>(List.of(jar.toString()));
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			// Directories cannot be in an AOT cache's class path: the test classes stay out.
			if (entry.endsWith(".jar")) {
				entries.add(entry);
			}
		}
		return String.join(File.pathSeparator, entries);
	}

	private static boolean awaitReady(Process gateway, int port) throws InterruptedException {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (System.nanoTime() < deadline && gateway.isAlive()) {
			try {
				int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
					.timeout(Duration.ofSeconds(5))
					.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
				if (status == 200) {
					return true;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			Thread.sleep(100);
		}
		return false;
	}

	private String read(String file) {
		try {
			return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "(" + ex + ")";
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}
}
