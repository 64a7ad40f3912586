package io.wsgate.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code helm template} of helm/wsgate, for tests that check what the chart renders. Needs
 * {@code helm} on the PATH (or {@code HELM_BIN}): without it a test is skipped on a developer
 * machine and fails on CI (environment variable {@code CI} set), as in HelmChartIntegrationTests.
 */
final class HelmTemplate {

	static final Path CHART = Path.of("helm", "wsgate");

	private HelmTemplate() {
	}

	/** The documents rendered with these extra arguments (e.g. {@code --set}, {@code -f}); release "wsgate". */
	static List<Map<String, Object>> render(String... args) {
		List<String> command = new ArrayList<>(List.of(helm(), "template", "wsgate", CHART.toString(), "--namespace", "wsgate"));
		command.addAll(List.of(args));
		Result result = run(command, Map.of());
		if (result.exitCode() != 0) {
			fail(String.join(" ", command) + " exited with " + result.exitCode() + ":\n" + result.stderr());
		}
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : yaml().loadAll(result.stdout())) {
			if (document instanceof Map<?, ?> map) {
				documents.add(cast(map));
			}
		}
		return documents;
	}

	/** What {@code helm template} prints on stderr when it refuses these values; fails if it renders. */
	static String refusal(String... args) {
		List<String> command = new ArrayList<>(List.of(helm(), "template", "wsgate", CHART.toString()));
		command.addAll(List.of(args));
		Result result = run(command, Map.of());
		if (result.exitCode() == 0) {
			fail(String.join(" ", command) + " rendered, but should have been refused");
		}
		return result.stderr();
	}

	static Map<String, Object> manifest(List<Map<String, Object>> documents, String kind, String name) {
		return documents.stream()
			.filter(m -> kind.equals(m.get("kind")) && name.equals(map(m.get("metadata")).get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("helm template rendered no " + kind + " named " + name));
	}

	static List<Map<String, Object>> manifests(List<Map<String, Object>> documents, String kind) {
		return documents.stream().filter(m -> kind.equals(m.get("kind"))).toList();
	}

	/** The gateway container of the Deployment. */
	static Map<String, Object> container(List<Map<String, Object>> documents) {
		Map<String, Object> podSpec = map(map(map(manifest(documents, "Deployment", "wsgate").get("spec")).get("template")).get("spec"));
		return map(list(podSpec.get("containers")).get(0));
	}

	/** The value of an environment variable of the gateway container. */
	static String env(List<Map<String, Object>> documents, String name) {
		for (Object entry : list(container(documents).get("env"))) {
			if (name.equals(map(entry).get("name"))) {
				return (String) map(entry).get("value");
			}
		}
		throw new AssertionError("the gateway container has no " + name);
	}

	record Result(int exitCode, String stdout, String stderr) {
	}

	static Result run(List<String> command, Map<String, String> environment) {
		try {
			Path stderr = Files.createTempFile("wsgate-test", ".err");
			try {
				ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
				builder.environment().putAll(environment);
				Process process = builder.start();
				process.getOutputStream().close();
				CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> {
					try {
						return process.getInputStream().readAllBytes();
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				});
				if (!process.waitFor(2, TimeUnit.MINUTES)) {
					process.destroyForcibly();
					fail(String.join(" ", command) + " did not finish within 2 minutes");
				}
				return new Result(process.exitValue(), new String(stdout.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
						Files.readString(stderr));
			}
			finally {
				Files.deleteIfExists(stderr);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** HELM_BIN, else helm on the PATH; absent: the test is skipped, or fails on CI. */
	static String helm() {
		String helm = find();
		assumeTrue(helm != null, MISSING + "; skipping");
		return helm;
	}

	static final String MISSING = "helm is not on the PATH (install it with: bash .ci/install-tools.sh)";

	/** HELM_BIN, else helm on the PATH; null when absent, except on CI, where that fails the test. */
	static String find() {
		String configured = System.getenv("HELM_BIN");
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			Path candidate = Path.of(dir, "helm");
			if (Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		if (System.getenv("CI") != null) {
			fail(MISSING + "; CI must run this test");
		}
		return null;
	}

	static Yaml yaml() {
		return new Yaml(new SafeConstructor(new LoaderOptions()));
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> cast(Object value) {
		return (Map<String, Object>) value;
	}

	static Map<String, Object> map(Object value) {
		if (!(value instanceof Map<?, ?>)) {
			throw new AssertionError("expected a mapping, got " + value);
		}
		return cast(value);
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(Object value) {
		if (!(value instanceof List<?>)) {
			throw new AssertionError("expected a list, got " + value);
		}
		return (List<Object>) value;
	}
}
