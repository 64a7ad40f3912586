package io.wsgate.it;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.PipelineSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the Helm chart ships is a config the gateway accepts and serves: renders helm/wsgate with
 * ci/full-values.yaml, takes the ConfigMap's application.yml, points its backend URLs at local
 * test backends and its listeners at port 0, starts the real gateway with it and opens WebSocket
 * sessions through it. Also checks that the chart's values schema accepts every key the gateway
 * binds. Needs {@code helm} on the PATH (or {@code HELM_BIN}): without it the tests that render the
 * chart are skipped on a developer machine and fail on CI (environment variable {@code CI} set).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HelmChartIntegrationTests {

	private static final Path CHART = Path.of("helm", "wsgate");

	private static final Path FULL_VALUES = CHART.resolve("ci").resolve("full-values.yaml");

	/** The manifests rendered with ci/full-values.yaml. */
	private List<Map<String, Object>> manifests;

	/** The ConfigMap's application.yml, as rendered. */
	private Map<String, Object> rendered;

	/** One local backend per distinct server URL of the rendered config. */
	private final Map<String, TestBackend> backends = new LinkedHashMap<>();

	private Gateway gateway;

	/** Why the tests are skipped (no helm on a developer machine), or null. */
	private String skipReason;

	@BeforeAll
	void renderAndStart() throws Exception {
		String helm = helm();
		if (helm == null) {
			return;
		}
		String output = run(List.of(helm, "template", "wsgate", CHART.toString(), "--namespace", "wsgate", "-f",
				FULL_VALUES.toString()));
		manifests = new ArrayList<>();
		for (Object document : yaml().loadAll(output)) {
			if (document instanceof Map<?, ?> map) {
				manifests.add(cast(map));
			}
		}
		Map<String, Object> configMap = manifest("ConfigMap", "wsgate");
		String applicationYml = (String) map(configMap.get("data")).get("application.yml");
		assertThat(applicationYml).as("ConfigMap data application.yml").isNotBlank();
		rendered = cast(yaml().load(applicationYml));

		Map<String, Object> local = cast(yaml().load(applicationYml));
		Map<String, Object> wsgate = map(local.get("wsgate"));
		for (Object server : list(wsgate.get("http-servers"))) {
			map(server).put("port", 0);
		}
		for (Map<String, Object> pool : pools(wsgate)) {
			for (Object server : list(pool.get("servers"))) {
				Map<String, Object> spec = map(server);
				String url = (String) spec.get("url");
				spec.put("url", backends.computeIfAbsent(url, u -> new TestBackend()).url());
			}
		}
		// The chart's warm-up runs, shorter: SelfWarmupIntegrationTests measures it, not this test.
		assertThat(map(wsgate.get("warmup"))).containsEntry("enabled", true);
		map(wsgate.get("warmup")).put("sessions", 200);
		gateway = Gateway.start(dump(local), Map.of());
	}

	@AfterAll
	void stop() {
		if (gateway != null) {
			gateway.close();
		}
		backends.values().forEach(TestBackend::close);
	}

	@Test
	void configMapCarriesTheGatewayConfigInTheContractShape() {
		requireHelm();
		Map<String, Object> wsgate = map(rendered.get("wsgate"));
		assertThat(wsgate).containsKeys("http-servers", "pipelines");
		assertThat(list(wsgate.get("http-servers"))).extracting(s -> map(s).get("name")).containsExactly("public", "internal");
		assertThat(list(wsgate.get("pipelines"))).extracting(p -> map(p).get("name")).containsExactly("chat", "feed");
		assertThat(map(wsgate.get("demo")).get("enabled")).isEqualTo(false);
		assertThat(map(map(rendered.get("management")).get("server")).get("port")).isEqualTo(9090);
		assertThat(backends).hasSize(6);
	}

	@Test
	void deploymentAndServicesExposeEveryListenerAndTheManagementPort() {
		requireHelm();
		Map<String, Object> container = map(list(map(map(map(manifest("Deployment", "wsgate").get("spec")).get("template"))
			.get("spec")).get("containers")).get(0));
		assertThat(list(container.get("ports"))).extracting(p -> map(p).get("containerPort"))
			.containsExactlyInAnyOrder(8080, 8081, 9090);
		assertThat(map(map(container.get("livenessProbe")).get("httpGet")))
			.containsEntry("path", "/actuator/health/liveness").containsEntry("port", "management");
		assertThat(map(map(container.get("readinessProbe")).get("httpGet")))
			.containsEntry("path", "/actuator/health/readiness").containsEntry("port", "management");
		assertThat(list(map(manifest("Service", "wsgate").get("spec")).get("ports"))).extracting(p -> map(p).get("port"))
			.containsExactlyInAnyOrder(80, 8081);
		assertThat(list(map(manifest("Service", "wsgate-management").get("spec")).get("ports")))
			.extracting(p -> map(p).get("port")).containsExactly(9090);
	}

	@Test
	void gatewayStartedFromTheChartConfigIsReady() {
		requireHelm();
		assertThat(gateway.management("/actuator/health/readiness")).contains("\"UP\"");
		assertThat(gateway.management("/actuator/health/liveness")).contains("\"UP\"");
	}

	@Test
	void sessionThroughThePublicListenerReachesTheMainPool() throws Exception {
		requireHelm();
		String uri = "/ws?session=" + UUID.randomUUID();
		try (TestClient client = TestClient.connect(gateway.wsUrl("public", uri))) {
			TestBackend backend = backendThatSaw(uri);
			assertThat(backend).isIn(backendsOf(mainPool("chat")));
			client.sendText("hello through the chart");
			assertThat(client.nextText()).isEqualTo("hello through the chart");
		}
	}

	@Test
	void canaryHeaderSelectsTheCandidatePool() throws Exception {
		requireHelm();
		String uri = "/ws?session=" + UUID.randomUUID();
		try (TestClient client = TestClient.connect(gateway.wsUrl("public", uri), Map.of("X-Canary", "true"), null)) {
			assertThat(backendThatSaw(uri)).isIn(backendsOf(candidatePool("chat")));
			client.sendText("canary");
			assertThat(client.nextText()).isEqualTo("canary");
		}
	}

	@Test
	void secondListenerRoutesToItsOwnPipeline() throws Exception {
		requireHelm();
		String uri = "/admin/feed?session=" + UUID.randomUUID();
		try (TestClient client = TestClient.connect(gateway.wsUrl("internal", uri),
				Map.of("X-Tenant", "ops", "X-User-Id", "42"), null)) {
			assertThat(backendThatSaw(uri)).isIn(backendsOf(mainPool("feed")));
			client.sendText("feed");
			assertThat(client.nextText()).isEqualTo("feed");
		}
	}

	/**
	 * The helm test pod's script (python3, standard library only) opens a session through the
	 * gateway started from the chart's config, gets its message echoed and closes: the command,
	 * arguments and environment of the rendered Pod, with the Service's address replaced by the
	 * local listener's. Needs python3 on the PATH (skipped without it, except on CI).
	 */
	@Test
	void helmTestPodOpensASessionAndGetsItsEcho() {
		requireHelm();
		String python = python3();
		Map<String, Object> pod = manifest("Pod", "wsgate-test-websocket");
		assertThat(map(map(pod.get("metadata")).get("annotations"))).containsEntry("helm.sh/hook", "test");
		Map<String, Object> container = map(list(map(pod.get("spec")).get("containers")).get(0));
		Map<String, String> env = new LinkedHashMap<>();
		for (Object entry : list(container.get("env"))) {
			env.put((String) map(entry).get("name"), String.valueOf(map(entry).get("value")));
		}
		assertThat(env).containsEntry("WS_URL", "ws://wsgate.wsgate.svc:80/ws?session=helm-test")
			.containsEntry("WS_ECHO", "true");
		env.put("WS_URL", gateway.wsUrl("public", "/ws?session=helm-test"));
		List<String> command = new ArrayList<>();
		list(container.get("command")).forEach(part -> command.add((String) part));
		list(container.get("args")).forEach(part -> command.add((String) part));
		assertThat(command.get(0)).isEqualTo("python3");
		command.set(0, python);

		HelmTemplate.Result result = HelmTemplate.run(command, env);
		assertThat(result.exitCode()).as("helm test script:%n%s%s", result.stdout(), result.stderr()).isZero();
		assertThat(result.stdout()).contains("101 Switching Protocols", "the message came back", "closed (1000)");
		assertThat(backendThatSaw("/ws?session=helm-test")).isIn(backendsOf(mainPool("chat")));
	}

	private static String python3() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			Path candidate = Path.of(dir, "python3");
			if (Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		if (System.getenv("CI") != null) {
			fail("python3 is not on the PATH; CI must run the helm test script");
		}
		assumeTrue(false, "python3 is not on the PATH; skipping");
		return null;
	}

	/**
	 * Every key the gateway binds under http-servers and pipelines is one the values schema
	 * accepts, so the schema's strictness (it refuses misspelt keys) never refuses a valid config.
	 * Keys the schema knows ahead of the code are fine: the gateway refuses them at startup.
	 */
	@Test
	void valuesSchemaAcceptsEveryKeyTheGatewayBinds() throws IOException {
		Map<String, Object> schema = cast(yaml().load(Files.readString(CHART.resolve("values.schema.json"))));
		Map<String, Object> gateway = map(map(map(schema.get("properties")).get("gateway")).get("properties"));
		List<String> missing = new ArrayList<>();
		checkSchema(schema, HttpServerSpec.class, map(map(gateway.get("httpServers")).get("items")),
				"gateway.httpServers[]", missing);
		checkSchema(schema, PipelineSpec.class, map(map(gateway.get("pipelines")).get("items")), "gateway.pipelines[]",
				missing);
		assertThat(missing).as("gateway keys that helm/wsgate/values.schema.json refuses (add them to the schema)")
			.isEmpty();
	}

	private static void checkSchema(Map<String, Object> schema, Type type, Map<String, Object> node, String path,
			List<String> missing) {
		Class<?> raw = rawClass(type);
		node = resolve(schema, node);
		if (node.containsKey("then") && resolve(schema, map(node.get("then"))).containsKey("properties")) {
			node = resolve(schema, map(node.get("then"))); // a filter: the WebSocketProxy options
		}
		if (!raw.isRecord() || !Boolean.FALSE.equals(node.get("additionalProperties"))) {
			return; // a value, or an object the schema leaves open
		}
		Map<String, Object> properties = map(node.get("properties"));
		for (RecordComponent component : raw.getRecordComponents()) {
			String key = component.getName();
			if (!properties.containsKey(key)) {
				missing.add(path + "." + key);
				continue;
			}
			Type child = component.getGenericType();
			Map<String, Object> childNode = resolve(schema, map(properties.get(key)));
			if (List.class.isAssignableFrom(rawClass(child)) && childNode.get("items") instanceof Map<?, ?> items) {
				checkSchema(schema, typeArgument(child, 0), cast(items), path + "." + key + "[]", missing);
			}
			else if (Map.class.isAssignableFrom(rawClass(child))
					&& childNode.get("additionalProperties") instanceof Map<?, ?> values) {
				checkSchema(schema, typeArgument(child, 1), cast(values), path + "." + key + ".*", missing);
			}
			else {
				checkSchema(schema, child, childNode, path + "." + key, missing);
			}
		}
	}

	private static Map<String, Object> resolve(Map<String, Object> schema, Map<String, Object> node) {
		Object ref = node.get("$ref");
		if (ref == null) {
			return node;
		}
		String name = ((String) ref).substring("#/definitions/".length());
		return resolve(schema, map(map(schema.get("definitions")).get(name)));
	}

	private static Class<?> rawClass(Type type) {
		return (type instanceof ParameterizedType parameterized) ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
	}

	private static Type typeArgument(Type type, int index) {
		return ((ParameterizedType) type).getActualTypeArguments()[index];
	}

	// ---- rendered config -------------------------------------------------------------------

	private Map<String, Object> manifest(String kind, String name) {
		return manifests.stream()
			.filter(m -> kind.equals(m.get("kind")) && name.equals(map(m.get("metadata")).get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("helm template rendered no " + kind + " named " + name));
	}

	private static List<Map<String, Object>> pools(Map<String, Object> wsgate) {
		List<Map<String, Object>> pools = new ArrayList<>();
		for (Object pipeline : list(wsgate.get("pipelines"))) {
			for (Object filter : list(map(pipeline).get("filters"))) {
				for (Object pool : list(map(filter).get("pools"))) {
					pools.add(map(pool));
				}
			}
		}
		return pools;
	}

	private List<Map<String, Object>> poolsOf(String pipelineName) {
		for (Object pipeline : list(map(rendered.get("wsgate")).get("pipelines"))) {
			if (pipelineName.equals(map(pipeline).get("name"))) {
				return pools(Map.of("pipelines", List.of(pipeline)));
			}
		}
		throw new AssertionError("no pipeline " + pipelineName + " in the rendered config");
	}

	private Map<String, Object> mainPool(String pipelineName) {
		return poolsOf(pipelineName).stream().filter(p -> !p.containsKey("filter")).findFirst().orElseThrow();
	}

	private Map<String, Object> candidatePool(String pipelineName) {
		return poolsOf(pipelineName).stream().filter(p -> p.containsKey("filter")).findFirst().orElseThrow();
	}

	private List<TestBackend> backendsOf(Map<String, Object> pool) {
		return list(pool.get("servers")).stream().map(s -> backends.get((String) map(s).get("url"))).toList();
	}

	/** The backend that received the handshake for this path and query (health probes use other URIs). */
	private TestBackend backendThatSaw(String uri) {
		AtomicReference<TestBackend> found = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			backends.values().stream()
				.filter(backend -> backend.handshakes.stream().anyMatch(h -> uri.equals(h.uri())))
				.findFirst()
				.ifPresent(found::set);
			return found.get() != null;
		});
		return found.get();
	}

	// ---- helm and YAML ---------------------------------------------------------------------

	/** The helm executable: HELM_BIN, else helm on the PATH; absent = null (skipped), or failed on CI. */
	private void requireHelm() {
		assumeTrue(skipReason == null, skipReason);
	}

	private String helm() {
		String helm = HelmTemplate.find();
		if (helm == null) {
			skipReason = HelmTemplate.MISSING + "; skipping";
		}
		return helm;
	}

	private static String run(List<String> command) throws Exception {
		Path stderr = Files.createTempFile("helm", ".err");
		try {
			Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
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
			String output = new String(stdout.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				fail(String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + Files.readString(stderr));
			}
			return output;
		}
		finally {
			Files.deleteIfExists(stderr);
		}
	}

	private static Yaml yaml() {
		DumperOptions dumper = new DumperOptions();
		dumper.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(dumper),
				dumper);
	}

	private static String dump(Map<String, Object> config) {
		return yaml().dump(config);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> cast(Object value) {
		return (Map<String, Object>) value;
	}

	private static Map<String, Object> map(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return cast(value);
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return (List<Object>) value;
	}
}
