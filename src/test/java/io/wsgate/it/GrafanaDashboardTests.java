package io.wsgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.wsgate.metrics.WsgateMeters;
import org.junit.jupiter.api.Test;

import static io.wsgate.it.HelmTemplate.list;
import static io.wsgate.it.HelmTemplate.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/grafana/wsgate-dashboard.json queries only meters that exist (WsgateMeters, as
 * /actuator/prometheus names them) with labels they carry, narrows every panel to the chosen
 * namespace and instances, and shows the sessions per pod. (check-packaging has promtool parse
 * every query.) The same names check serves the chart's PrometheusRule (HelmChartManifestsTests).
 */
class GrafanaDashboardTests {

	private static final Path DASHBOARD = Path.of("docs", "grafana", "wsgate-dashboard.json");

	/** A series selector: metric name and the text between its braces. */
	private static final Pattern SELECTOR = Pattern.compile("\\b(wsgate_[a-z_]+)\\{([^}]*)\\}");

	private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

	/** Labels Prometheus and the Prometheus Operator's scrape add to every series. */
	private static final Set<String> SCRAPE_LABELS = Set.of("namespace", "pod", "job", "instance", "service", "endpoint",
			"container");

	@Test
	void everyQueryNamesAMeterThatExistsWithLabelsItCarries() throws IOException {
		List<String> problems = new ArrayList<>();
		List<String> exprs = exprs(dashboard());
		assertThat(exprs).hasSizeGreaterThan(20);
		for (String expr : exprs) {
			problems.addAll(unknownMetricsOrLabels(expr));
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void everyPanelFollowsTheNamespaceAndInstanceVariables() throws IOException {
		Map<String, Object> dashboard = dashboard();
		List<String> variables = list(map(dashboard.get("templating")).get("list")).stream()
			.map(v -> (String) map(v).get("name"))
			.toList();
		assertThat(variables).containsSubsequence("datasource", "namespace", "instance", "pipeline", "pool", "server");
		List<String> unfiltered = new ArrayList<>();
		// The namespace and instance variables list what there is to choose from.
		for (String expr : exprs(dashboard).stream().filter(e -> !e.matches("label_values\\(.*, (namespace|instance)\\)")).toList()) {
			Matcher selector = SELECTOR.matcher(expr);
			while (selector.find()) {
				if (!selector.group(2).contains("namespace=~\"$namespace\"") || !selector.group(2).contains("instance=~\"$instance\"")) {
					unfiltered.add(selector.group());
				}
			}
		}
		assertThat(unfiltered).as("selectors without the namespace and instance variables").isEmpty();
	}

	@Test
	void aPanelShowsTheSessionsOfEachPod() throws IOException {
		assertThat(exprs(dashboard())).anyMatch(expr -> expr.matches("sum by \\([^)]*\\bpod\\b[^)]*\\) \\(wsgate_sessions_active\\{.*"));
	}

	/** Metric names and label names of the wsgate selectors in a PromQL expression that no meter has. */
	static List<String> unknownMetricsOrLabels(String expr) {
		Map<String, Set<String>> known = prometheusSeries();
		List<String> problems = new ArrayList<>();
		Matcher selector = SELECTOR.matcher(expr);
		while (selector.find()) {
			Set<String> labels = known.get(selector.group(1));
			if (labels == null) {
				problems.add(selector.group(1) + " is no wsgate meter (" + expr + ")");
				continue;
			}
			Matcher matcher = MATCHER.matcher(selector.group(2));
			while (matcher.find()) {
				if (!labels.contains(matcher.group(1)) && !SCRAPE_LABELS.contains(matcher.group(1))) {
					problems.add(selector.group(1) + " has no label " + matcher.group(1) + " (" + expr + ")");
				}
			}
		}
		return problems;
	}

	/** Prometheus series names of the wsgate meters, as Micrometer's Prometheus registry writes them, with their labels. */
	static Map<String, Set<String>> prometheusSeries() {
		Map<String, Set<String>> series = new HashMap<>();
		for (WsgateMeters meter : WsgateMeters.values()) {
			String name = meter.meterName().replace('.', '_');
			Set<String> labels = new LinkedHashSet<>();
			meter.tagKeyNames().forEach(tag -> labels.add(tag.replace('.', '_')));
			String unit = meter.getBaseUnit();
			if (unit != null && !name.endsWith("_" + unit)) {
				name = name + "_" + unit;
			}
			switch (meter.getType()) {
				case COUNTER -> series.put(name + "_total", labels);
				case TIMER -> {
					for (String suffix : List.of("_count", "_sum", "_max")) {
						series.put(name + suffix, labels);
					}
					Set<String> buckets = new LinkedHashSet<>(labels);
					buckets.add("le");
					series.put(name + "_bucket", buckets);
				}
				default -> series.put(name, labels);
			}
		}
		return series;
	}

	private static Map<String, Object> dashboard() throws IOException {
		return map(HelmTemplate.yaml().load(Files.readString(DASHBOARD)));
	}

	/** Every panel query and every variable query. */
	private static List<String> exprs(Map<String, Object> dashboard) {
		List<String> exprs = new ArrayList<>();
		for (Object panel : list(dashboard.get("panels"))) {
			Object targets = map(panel).get("targets");
			if (targets != null) {
				list(targets).forEach(target -> exprs.add((String) map(target).get("expr")));
			}
		}
		for (Object variable : list(map(dashboard.get("templating")).get("list"))) {
			Object definition = map(variable).get("definition");
			if (definition instanceof String query && query.startsWith("label_values(")) {
				exprs.add(query);
			}
		}
		return exprs;
	}
}
