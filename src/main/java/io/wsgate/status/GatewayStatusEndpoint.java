package io.wsgate.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.wsgate.config.FilterSpec;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ServerMeters;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.pool.ServerState;
import io.wsgate.runtime.GatewayRuntimes;
import io.wsgate.runtime.ReloadResult;
import io.wsgate.server.Listeners;
import io.wsgate.status.GatewayTotals.FilterId;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/wsgate}: the gateway at a glance, as JSON: http servers with their rules,
 * pipelines with their pools and servers (health, weight, active sessions, traffic) and their
 * filters (kind, handshakes by result), totals, recent closes, uptime, the build and the
 * configuration in force (version, time, last rejected reload); and its history for the dashboard's
 * charts. {@code POST /actuator/wsgate/reload} reloads. Totals come from
 * the wsgate meters, so they read 0 when those meters are disabled.
 */
@Endpoint(id = "wsgate")
public final class GatewayStatusEndpoint {

	private final Instant started = Instant.now();

	private final GatewayRuntimes runtimes;

	private final Listeners listeners;

	private final PoolRegistry pools;

	private final GatewayMetrics metrics;

	private final GatewayTotals totals;

	private final RecentCloses recentCloses;

	private final TrafficHistory history;

	private final BuildSummary build;

	public GatewayStatusEndpoint(GatewayRuntimes runtimes, Listeners listeners, PoolRegistry pools,
			GatewayMetrics metrics, GatewayTotals totals, RecentCloses recentCloses, TrafficHistory history,
			BuildSummary build) {
		this.runtimes = runtimes;
		this.listeners = listeners;
		this.pools = pools;
		this.metrics = metrics;
		this.totals = totals;
		this.recentCloses = recentCloses;
		this.history = history;
		this.build = build;
	}

	@ReadOperation
	public Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		Instant now = Instant.now();
		status.put("time", now.toString());
		status.put("startedAt", started.toString());
		status.put("uptimeSeconds", Duration.between(started, now).toSeconds());
		status.put("build", build);
		status.put("config", config());
		status.put("totals", totals.read());
		status.put("httpServers", runtimes.get().httpServers().stream().map(this::httpServer).toList());
		status.put("pipelines", pipelines());
		status.put("closesByCode", totals.closesByCode());
		status.put("recentCloses", recentCloses.list());
		return status;
	}

	/**
	 * {@code /actuator/wsgate/history}: the last 15 minutes of active sessions and of message,
	 * handshake and refusal rates, one sample a second, oldest first.
	 */
	@ReadOperation
	public TrafficHistory.@Nullable Snapshot part(@Selector String part) {
		// null is a 404: history is the only part.
		return "history".equals(part) ? history.snapshot() : null;
	}

	/**
	 * {@code POST /actuator/wsgate/reload}: reads the config files again and applies them now; answers
	 * the outcome ({@code applied}, {@code rejected}, {@code unchanged}), the version in force and,
	 * when rejected, the problems, each with its key path.
	 */
	@WriteOperation
	public @Nullable ReloadResult act(@Selector String part) {
		return "reload".equals(part) ? runtimes.reload() : null;
	}

	/** The version and time of the configuration in force, and the last rejected reload. */
	private Map<String, Object> config() {
		GatewayRuntimes.Status config = runtimes.status();
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("version", config.version());
		map.put("loadedAt", config.loadedAt().toString());
		ReloadResult rejection = config.lastRejection();
		map.put("lastRejection", (rejection != null)
				? Map.of("time", rejection.time().toString(), "problems", rejection.problems()) : null);
		return map;
	}

	private Map<String, Object> httpServer(HttpServerSpec spec) {
		Map<String, Object> server = new LinkedHashMap<>();
		server.put("name", spec.name());
		server.put("address", spec.address());
		server.put("port", listeners.isListening(spec.name()) ? listeners.port(spec.name())
				: Objects.requireNonNull(spec.port(), "validated"));
		server.put("rules", spec.rules().stream().map(rule -> Map.of("host", rule.host().isEmpty() ? "*" : rule.host(),
				"paths", rule.paths().stream().map(GatewayStatusEndpoint::path).toList())).toList());
		return server;
	}

	private static Map<String, Object> path(PathSpec path) {
		Map<String, Object> map = new LinkedHashMap<>();
		if (!path.path().isEmpty()) {
			map.put("path", path.path());
		}
		if (!path.pathPrefix().isEmpty()) {
			map.put("pathPrefix", path.pathPrefix());
		}
		if (!path.pathRegexp().isEmpty()) {
			map.put("pathRegexp", path.pathRegexp());
		}
		if (!path.methods().isEmpty()) {
			map.put("methods", path.methods());
		}
		map.put("backend", path.backend());
		return map;
	}

	private List<Map<String, Object>> pipelines() {
		Map<String, List<Map<String, Object>>> byPipeline = new LinkedHashMap<>();
		for (PoolRegistry.Entry entry : pools.entries()) {
			byPipeline.computeIfAbsent(entry.pipeline(), name -> new ArrayList<>()).add(pool(entry.pool()));
		}
		Map<FilterId, Map<String, Long>> results = totals.filterResults();
		List<Map<String, Object>> list = new ArrayList<>();
		for (PipelineSpec pipeline : runtimes.get().pipelines().specs()) {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("name", pipeline.name());
			map.put("pools", byPipeline.getOrDefault(pipeline.name(), List.of()));
			map.put("filters", pipeline.filters().stream()
				.map(filter -> filter(filter, results.getOrDefault(new FilterId(pipeline.name(), filter.name()), Map.of())))
				.toList());
			list.add(map);
		}
		return list;
	}

	/** A filter with its counts by result: {@code refused} sums the results other than continue. */
	private static Map<String, Object> filter(FilterSpec spec, Map<String, Long> results) {
		long handshakes = results.values().stream().mapToLong(Long::longValue).sum();
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("name", spec.name());
		map.put("kind", spec.kind());
		map.put("handshakes", handshakes);
		map.put("refused", handshakes - results.getOrDefault(GatewayTotals.CONTINUE, 0L));
		map.put("results", results);
		return map;
	}

	private Map<String, Object> pool(ServerPool pool) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("name", pool.name());
		map.put("policy", pool.spec().loadBalance().policy());
		if (!pool.spec().serverTags().isEmpty()) {
			map.put("serverTags", pool.spec().serverTags());
		}
		map.put("healthCheck", pool.spec().healthCheck() != null);
		List<Map<String, Object>> servers = new ArrayList<>();
		List<ServerState.Snapshot> states = pool.serverStates();
		for (int i = 0; i < pool.servers().size(); i++) {
			servers.add(server(pool, pool.servers().get(i), states.get(i)));
		}
		map.put("servers", servers);
		return map;
	}

	private Map<String, Object> server(ServerPool pool, Server server, ServerState.Snapshot state) {
		ServerMeters meters = metrics.server(pool, server);
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("url", server.url());
		map.put("status", state.available() ? "UP" : "DOWN");
		map.put("weight", server.weight());
		map.put("tags", server.tags());
		map.put("activeSessions", meters.activeSessions());
		map.put("messagesUp", (long) meters.messageCount(Direction.UPSTREAM));
		map.put("messagesDown", (long) meters.messageCount(Direction.DOWNSTREAM));
		map.put("bytesUp", (long) meters.byteCount(Direction.UPSTREAM));
		map.put("bytesDown", (long) meters.byteCount(Direction.DOWNSTREAM));
		map.put("backendErrors", (long) meters.dialErrorCount());
		map.put("lastFailure", state.lastFailure());
		map.put("takenOutUntil", (state.ejectedUntil() != null) ? state.ejectedUntil().toString() : null);
		return map;
	}
}
