package io.wsgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.wsgate.it.HelmTemplate.list;
import static io.wsgate.it.HelmTemplate.manifest;
import static io.wsgate.it.HelmTemplate.map;
import static io.wsgate.it.HelmTemplate.render;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the chart's optional parts render, beyond what check-packaging greps for: the Ingress to a
 * TLS listener, the NetworkPolicy's ports, the helm test pod, the HPA's scale-down. Needs helm, as
 * HelmChartIntegrationTests.
 */
class HelmChartManifestsTests {

	private static final String FULL_VALUES = HelmTemplate.CHART.resolve("ci").resolve("full-values.yaml").toString();

	private static final String TLS_VALUES = HelmTemplate.CHART.resolve("ci").resolve("tls-values.yaml").toString();

	private static final String BACKEND_PROTOCOL = "nginx.ingress.kubernetes.io/backend-protocol";

	@Test
	void ingressToATlsListenerAsksIngressNginxForHttps() {
		Map<String, Object> annotations = annotations(manifest(render("-f", TLS_VALUES), "Ingress", "wsgate"));
		assertThat(annotations).containsEntry(BACKEND_PROTOCOL, "HTTPS")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600");

		Map<String, Object> chosen = annotations(manifest(
				render("-f", TLS_VALUES, "--set", "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/backend-protocol=GRPCS"),
				"Ingress", "wsgate"));
		assertThat(chosen).containsEntry(BACKEND_PROTOCOL, "GRPCS");

		assertThat(annotations(manifest(render("-f", FULL_VALUES), "Ingress", "wsgate"))).doesNotContainKey(BACKEND_PROTOCOL);
	}

	@Test
	void helmTestPodConnectsThroughTheServiceAndIsNoEndpointOfIt() {
		List<Map<String, Object>> documents = render("-f", TLS_VALUES);
		Map<String, Object> pod = manifest(documents, "Pod", "wsgate-test-websocket");
		assertThat(annotations(pod)).containsEntry("helm.sh/hook", "test");
		Map<String, Object> labels = map(map(pod.get("metadata")).get("labels"));
		Map<String, Object> selector = map(map(manifest(documents, "Service", "wsgate").get("spec")).get("selector"));
		assertThat(labels.entrySet().containsAll(selector.entrySet()))
			.as("the test pod %s must not match the proxy Service's selector %s", labels, selector).isFalse();
		Map<String, Object> container = map(list(map(pod.get("spec")).get("containers")).get(0));
		assertThat(list(container.get("env"))).contains(Map.of("name", "WS_URL", "value", "wss://wsgate.wsgate.svc:8443/chat?room=helm-test"),
				Map.of("name", "WS_HOST", "value", "chat.example.com"));
		assertThat(map(container.get("securityContext"))).containsEntry("readOnlyRootFilesystem", true);

		assertThat(HelmTemplate.manifests(render("--set", "tests.enabled=false"), "Pod")).isEmpty();
	}

	@Test
	void networkPolicyOpensTheListenersTheManagementPortAndTheBackendsPorts(@TempDir Path dir) throws IOException {
		Map<String, Object> spec = map(manifest(render("-f", FULL_VALUES), "NetworkPolicy", "wsgate").get("spec"));
		assertThat(list(spec.get("policyTypes"))).containsExactly("Ingress", "Egress");
		List<Object> ingress = list(spec.get("ingress"));
		assertThat(ports(ingress.get(0))).containsExactly(8080, 8081);
		assertThat(list(map(ingress.get(0)).get("from"))).hasSize(3)
			.contains(Map.of("podSelector", Map.of("matchLabels",
					Map.of("app.kubernetes.io/instance", "wsgate", "app.kubernetes.io/component", "helm-test"))));
		assertThat(ports(ingress.get(1))).containsExactly(9090);
		List<Object> egress = list(spec.get("egress"));
		assertThat(ports(egress.get(0))).containsExactly(53, 53);
		assertThat(ports(egress.get(1))).containsExactly(9000, 9100);

		// Default ports of ws:// and wss://, and a health check's own port.
		Path values = dir.resolve("values.yaml");
		Files.writeString(values, """
				networkPolicy: {enabled: true, proxyFrom: [], managementFrom: [], egress: {enabled: true}}
				gateway:
				  httpServers:
				    - {name: edge, port: 8080, rules: [{paths: [{pathPrefix: /, backend: p}]}]}
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://plain"}, {url: "wss://secure/"}, {url: "ws://[fd00::1]:7000"}]
				              healthCheck: {http: {port: 7001, uri: /healthz}}
				""");
		Map<String, Object> open = map(manifest(render("-f", values.toString()), "NetworkPolicy", "wsgate").get("spec"));
		assertThat(list(open.get("ingress"))).allSatisfy(rule -> assertThat(map(rule)).doesNotContainKey("from"));
		assertThat(ports(list(open.get("egress")).get(1))).containsExactly(80, 443, 7000, 7001);
	}

	@Test
	void hpaScalesDownSlowlyByDefault() {
		Map<String, Object> scaleDown = scaleDown(render("-f", FULL_VALUES));
		assertThat(scaleDown).containsEntry("stabilizationWindowSeconds", 600);
		assertThat(list(scaleDown.get("policies"))).containsExactly(Map.of("type", "Pods", "value", 1, "periodSeconds", 300));

		Map<String, Object> changed = scaleDown(render("-f", FULL_VALUES, "--set",
				"autoscaling.behavior.scaleDown.stabilizationWindowSeconds=1800"));
		assertThat(changed).containsEntry("stabilizationWindowSeconds", 1800).containsKey("policies");
	}

	/**
	 * The alerts query meters that exist with labels they carry; a rule per configured session
	 * limit (ci/full-values.yaml: wsgate.limits.maxSessions and the feed pool's maxSessions), none
	 * where no limit is configured. promtool tests what they do (check-packaging, ci/alerts-test.yaml).
	 */
	@Test
	void prometheusRuleAlertsOnMetersThatExist() {
		List<Object> rules = rules(render("-f", FULL_VALUES));
		assertThat(rules).extracting(rule -> map(rule).get("alert"))
			.containsExactly("WsgatePoolWithoutHealthyServer", "WsgateHandshakesRefused", "WsgateBackendErrors",
					"WsgateSessionsNearLimit", "WsgatePoolSessionsNearLimit", "WsgateConfigReloadRejected");
		for (Object rule : rules) {
			String expr = (String) map(rule).get("expr");
			assertThat(GrafanaDashboardTests.unknownMetricsOrLabels(expr)).isEmpty();
			assertThat(expr).contains("namespace=\"wsgate\", job=\"wsgate-management\"");
		}
		assertThat((String) map(rules.get(4)).get("expr"))
			.contains("pipeline=\"feed\", pool=\"websocketproxy#feedproxy#main\"").contains("> 4500");

		// No limits configured: no limit alerts. A candidate pool's limit names it by its index.
		List<Object> withoutLimits = rules(render("--set", "prometheusRule.enabled=true"));
		assertThat(withoutLimits).extracting(rule -> map(rule).get("alert"))
			.containsExactly("WsgatePoolWithoutHealthyServer", "WsgateHandshakesRefused", "WsgateBackendErrors",
					"WsgateConfigReloadRejected");
		List<Object> candidate = rules(render("-f", FULL_VALUES, "--set", "gateway.pipelines[0].filters[0].pools[0].maxSessions=100",
				"--set", "prometheusRule.selector=job=\"wsgate\""));
		assertThat(candidate).anySatisfy(rule -> assertThat((String) map(rule).get("expr"))
			.contains("{job=\"wsgate\", pipeline=\"chat\", pool=\"websocketproxy#wsproxy#candidate#0\"}) > 90"));
	}

	/**
	 * By default a config change is applied live by the pods (no checksum on the pod template, the
	 * gateway watches its file); config.rollOnChange=true rolls them instead.
	 */
	@Test
	void configChangesApplyLiveUnlessRollOnChange() {
		List<Map<String, Object>> live = render("-f", FULL_VALUES);
		assertThat(podAnnotations(live)).doesNotContainKey("checksum/config");
		assertThat(reloadEnabled(live)).isEqualTo(true);

		List<Map<String, Object>> rolling = render("-f", FULL_VALUES, "--set", "config.rollOnChange=true");
		assertThat(podAnnotations(rolling)).containsKey("checksum/config");
		assertThat(reloadEnabled(rolling)).isEqualTo(false);
		List<Map<String, Object>> changed = render("-f", FULL_VALUES, "--set", "config.rollOnChange=true", "--set",
				"gateway.pipelines[0].name=renamed");
		assertThat(podAnnotations(changed).get("checksum/config")).isNotEqualTo(podAnnotations(rolling).get("checksum/config"));
	}

	private static Map<String, Object> podAnnotations(List<Map<String, Object>> documents) {
		Map<String, Object> template = map(map(manifest(documents, "Deployment", "wsgate").get("spec")).get("template"));
		Object annotations = map(template.get("metadata")).get("annotations");
		return (annotations != null) ? map(annotations) : Map.of();
	}

	private static Object reloadEnabled(List<Map<String, Object>> documents) {
		String yaml = (String) map(manifest(documents, "ConfigMap", "wsgate").get("data")).get("application.yml");
		Map<String, Object> config = map(HelmTemplate.yaml().load(yaml));
		return map(map(config.get("wsgate")).get("reload")).get("enabled");
	}

	private static List<Object> rules(List<Map<String, Object>> documents) {
		Map<String, Object> spec = map(manifest(documents, "PrometheusRule", "wsgate").get("spec"));
		return list(map(list(spec.get("groups")).get(0)).get("rules"));
	}

	private static Map<String, Object> scaleDown(List<Map<String, Object>> documents) {
		Map<String, Object> spec = map(manifest(documents, "HorizontalPodAutoscaler", "wsgate").get("spec"));
		return map(map(spec.get("behavior")).get("scaleDown"));
	}

	private static Map<String, Object> annotations(Map<String, Object> manifest) {
		return map(map(manifest.get("metadata")).get("annotations"));
	}

	private static List<Object> ports(Object rule) {
		return list(map(rule).get("ports")).stream().map(port -> map(port).get("port")).toList();
	}
}
