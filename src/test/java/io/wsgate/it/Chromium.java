package io.wsgate.it;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Headless Chromium for the dashboard tests: a page's DOM as rendered, or a screenshot. Chromium now
 * and then hangs in headless mode on a busy machine: each run is bounded, its whole process tree
 * killed when it runs out, and one more run made.
 */
final class Chromium {

	private final String binary;

	private final Path profile;

	private Chromium(String binary, Path profile) {
		this.binary = binary;
		this.profile = profile;
	}

	/** Chromium, or the test skipped when it is not installed outside CI (.ci/run installs it). */
	static Chromium require(Path profile) {
		String binary = find();
		assumeThat(binary != null || System.getenv("CI") != null)
			.as("Chromium is installed by .ci/run; without it locally this test is skipped").isTrue();
		assertThat(binary).as("chromium on this CI machine").isNotNull();
		return new Chromium(binary, profile);
	}

	static String find() {
		for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
			if (new File(candidate).canExecute()) {
				return candidate;
			}
		}
		return null;
	}

	String dumpDom(String url) throws Exception {
		return new String(run(List.of("--dump-dom", url)), StandardCharsets.UTF_8);
	}

	BufferedImage screenshot(String url, int width, int height) throws Exception {
		File png = profile.resolve("screenshot-" + System.nanoTime() + ".png").toFile();
		run(List.of("--window-size=" + width + "," + height, "--hide-scrollbars", "--screenshot=" + png, url));
		assertThat(png).as("Chromium's screenshot").exists();
		return ImageIO.read(png);
	}

	private byte[] run(List<String> command) throws Exception {
		for (int attempt = 1;; attempt++) {
			List<String> args = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
					"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--user-data-dir=" + profile.resolve("run-" + System.nanoTime()), "--virtual-time-budget=5000",
					"--timeout=20000"));
			args.addAll(command);
			Process process = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
			CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
				try {
					return process.getInputStream().readAllBytes();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			if (process.waitFor(45, TimeUnit.SECONDS)) {
				return output.get(10, TimeUnit.SECONDS);
			}
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			assertThat(attempt).as("headless Chromium hung twice").isLessThan(2);
		}
	}
}
