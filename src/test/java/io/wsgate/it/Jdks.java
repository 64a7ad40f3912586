package io.wsgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The JDKs of the machine, for tests that need the image's (JDK 25). */
final class Jdks {

	private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

	private Jdks() {
	}

	/** A JDK 25 or later: this JVM, JAVA25_HOME, or one under /usr/lib/jvm (as bench/run.sh looks). */
	static Optional<Path> jdk25() {
		if (Runtime.version().feature() >= 25) {
			return Optional.of(Path.of(System.getProperty("java.home"), "bin", "java"));
		}
		List<Path> homes = new ArrayList<>();
		String configured = System.getenv("JAVA25_HOME");
		if (configured != null && !configured.isBlank()) {
			homes.add(Path.of(configured));
		}
		Path jvms = Path.of("/usr/lib/jvm");
		if (Files.isDirectory(jvms)) {
			try (Stream<Path> children = Files.list(jvms)) {
				children.sorted().forEach(homes::add);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		for (Path home : homes) {
			Path release = home.resolve("release");
			Path java = home.resolve("bin").resolve("java");
			if (Files.isRegularFile(release) && Files.isExecutable(java)) {
				try {
					Matcher version = JAVA_VERSION.matcher(Files.readString(release));
					if (version.find() && Integer.parseInt(version.group(1)) >= 25) {
						return Optional.of(java);
					}
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		return Optional.empty();
	}
}
