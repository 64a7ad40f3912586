package io.wsgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The JVM options the chart renders (JDK_JAVA_OPTIONS, from jvm.* and resources) do what
 * docs/kubernetes.md says, on a real JVM: a JVM started with them, as the image's {@code java}
 * launcher would be, sees the processors and event loops of the CPU request and a direct-memory
 * cap of the memory limit's share, loads Netty's native transport without JDK 24+'s "restricted
 * method" warning, and starts at all: the JDK 25 options on a JDK 25 (the image's; skipped when no
 * JDK 25 or later is found), the portable ones on the JVM running the tests (Java 17 on CI).
 * {@code -XX:MaxRAM} stands in for the container's memory limit.
 */
class HelmChartJvmOptionsTests {

	@Test
	void defaultValuesOnTheImagesJdk() {
		Path java = Jdks.jdk25().orElse(null);
		assumeTrue(java != null, "no JDK 25 or later found (java.home, JAVA25_HOME, /usr/lib/jvm)");
		String options = HelmTemplate.env(HelmTemplate.render(), "JDK_JAVA_OPTIONS");
		assertThat(options).contains("-XX:+UseCompactObjectHeaders", "-XX:MaxDirectMemorySize=128m",
				"-XX:ActiveProcessorCount=1", "-Dreactor.netty.ioWorkerCount=1", "--enable-native-access=ALL-UNNAMED");

		Probe probe = probe(java, options, "1g");
		assertThat(probe.values()).containsEntry("processors", "1")
			.containsEntry("eventLoops", "1")
			.containsEntry("nettyMaxDirectMemoryMiB", "128")
			.containsEntry("compactObjectHeaders", "true")
			.containsEntry("maxHeapFreeRatio", "100")
			.containsEntry("epoll", "true");
		// 60% of the 1 GiB limit (the JVM rounds to its heap region size).
		assertThat(Integer.parseInt(probe.values().get("maxHeapMiB"))).isBetween(600, 620);
		assertThat(probe.stderr()).doesNotContain("WARNING");
	}

	@Test
	void portableOptionsOnTheTestJvm() {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		int feature = Runtime.version().feature();
		String options = HelmTemplate.env(HelmTemplate.render("--set", "jvm.javaVersion=" + feature, "--set",
				"resources.requests.cpu=1500m", "--set", "resources.limits.memory=1536Mi"), "JDK_JAVA_OPTIONS");
		if (feature < 25) {
			assertThat(options).doesNotContain("UseCompactObjectHeaders");
		}
		assertThat(options).contains("-XX:MaxDirectMemorySize=192m", "-XX:ActiveProcessorCount=2",
				"-Dreactor.netty.ioWorkerCount=2");

		Probe probe = probe(java, options, "1536m");
		assertThat(probe.values()).containsEntry("javaVersion", Integer.toString(feature))
			.containsEntry("processors", "2")
			.containsEntry("eventLoops", "2")
			.containsEntry("maxHeapFreeRatio", "100")
			.containsEntry("nettyMaxDirectMemoryMiB", "192");
		assertThat(probe.stderr()).doesNotContain("restricted method");
	}

	/** Why jvm.javaVersion exists: a JVM older than 24 does not start with the JDK 25 options. */
	@Test
	void olderJvmRefusesTheJdk25Options() {
		assumeTrue(Runtime.version().feature() < 24, "the test JVM accepts compact object headers");
		String options = HelmTemplate.env(HelmTemplate.render(), "JDK_JAVA_OPTIONS");
		HelmTemplate.Result result = HelmTemplate.run(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"),
				Map.of("JDK_JAVA_OPTIONS", options));
		assertThat(result.exitCode()).isNotZero();
		assertThat(result.stderr()).contains("Unrecognized VM option 'UseCompactObjectHeaders'");
	}

	@Test
	void noDerivedFlagsWithoutResourcesOrWhenSwitchedOff() {
		String withoutResources = HelmTemplate.env(HelmTemplate.render("--set", "resources=null"), "JDK_JAVA_OPTIONS");
		assertThat(withoutResources).doesNotContain("MaxDirectMemorySize", "ActiveProcessorCount", "ioWorkerCount");
		String switchedOff = HelmTemplate.env(HelmTemplate.render("--set", "jvm.maxDirectMemoryPercentage=0", "--set",
				"jvm.processorsFromCpuRequest=false", "--set", "jvm.extraOptions=-Xss512k"), "JDK_JAVA_OPTIONS");
		assertThat(switchedOff).doesNotContain("MaxDirectMemorySize", "ActiveProcessorCount", "ioWorkerCount")
			.endsWith(" -Xss512k");
	}

	@Test
	void unreadableQuantitiesAreRefusedByName() {
		assertThat(HelmTemplate.refusal("--set", "resources.limits.memory=1e9"))
			.contains("resources.limits.memory: \"1e9\" is not a memory quantity");
		assertThat(HelmTemplate.refusal("--set", "resources.requests.cpu=two"))
			.contains("resources.requests.cpu: \"two\" is not a CPU quantity");
	}

	record Probe(Map<String, String> values, String stderr) {
	}

	/** Runs JvmOptionsProbe on this java, with the options as JDK_JAVA_OPTIONS and maxRam as the memory limit. */
	private static Probe probe(Path java, String options, String maxRam) {
		List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:MaxRAM=" + maxRam, "-cp",
				System.getProperty("java.class.path"), JvmOptionsProbe.class.getName()));
		HelmTemplate.Result result = HelmTemplate.run(command, Map.of("JDK_JAVA_OPTIONS", options));
		assertThat(result.exitCode()).as("%s with JDK_JAVA_OPTIONS=%s:%n%s", java, options, result.stderr()).isZero();
		Map<String, String> values = new LinkedHashMap<>();
		result.stdout().lines().filter(line -> line.contains("=")).forEach(line -> {
			int eq = line.indexOf('=');
			values.put(line.substring(0, eq), line.substring(eq + 1));
		});
		// The launcher announces the variable it picked up; anything else on stderr is the JVM's.
		String stderr = result.stderr().lines().filter(line -> !line.startsWith("NOTE: Picked up JDK_JAVA_OPTIONS"))
			.reduce("", (a, b) -> a + b + "\n");
		return new Probe(values, stderr);
	}
}
