package io.wsgate.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.WsgateProperties;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ServerMeters;
import io.wsgate.metrics.WsgateMeters;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.pool.ServerState;
import io.wsgate.server.Listeners;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/wsgate}: the gateway at a glance, as JSON: http servers with their rules,
 * pipelines with their pools and servers (health, weight, active sessions, traffic), totals,
 * recent closes and uptime. Totals come from the wsgate meters, so they read 0 when those meters
 * are disabled.
 */
@Endpoint(id = "wsgate")
public final class GatewayStatusEndpoint {

	private final Instant started = Instant.now();

	private final WsgateProperties properties;

	private final Listeners listeners;

	private final PoolRegistry pools;

	private final GatewayMetrics metrics;

	private final MeterRegistry registry;

	private final RecentCloses recentCloses;

	public GatewayStatusEndpoint(WsgateProperties properties, Listeners listeners, PoolRegistry pools,
			GatewayMetrics metrics, MeterRegistry registry, RecentCloses recentCloses) {
		this.properties = properties;
		this.listeners = listeners;
		this.pools = pools;
		this.metrics = metrics;
		this.registry = registry;
		this.recentCloses = recentCloses;
	}

	@ReadOperation
	public Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		Instant now = Instant.now();
		status.put("time", now.toString());
		status.put("startedAt", started.toString());
		status.put("uptimeSeconds", Duration.between(started, now).toSeconds());
		List<Map<String, Object>> pipelines = pipelines();
		status.put("totals", totals(pipelines));
		status.put("httpServers", properties.httpServers().stream().map(this::httpServer).toList());
		status.put("pipelines", pipelines);
		status.put("closesByCode", closesByCode());
		status.put("recentCloses", recentCloses.list());
		return status;
	}

	private Map<String, Object> httpServer(HttpServerSpec spec) {
		Map<String, Object> server = new LinkedHashMap<>();
		server.put("name", spec.name());
		server.put("address", spec.address());
		server.put("port", listeners.isRunning() ? listeners.port(spec.name()) : spec.port());
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
		List<Map<String, Object>> list = new ArrayList<>();
		byPipeline.forEach((name, poolList) -> list.add(Map.of("name", name, "pools", poolList)));
		return list;
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

	@SuppressWarnings("unchecked")
	private Map<String, Object> totals(List<Map<String, Object>> pipelines) {
		Map<String, Long> sessions = new TreeMap<>();
		for (Counter counter : registry.find(WsgateMeters.SESSIONS.meterName()).counters()) {
			sessions.merge(counter.getId().getTag("outcome"), (long) counter.count(), Long::sum);
		}
		long active = 0;
		long messages = 0;
		long bytes = 0;
		long errors = 0;
		for (Map<String, Object> pipeline : pipelines) {
			for (Map<String, Object> pool : (List<Map<String, Object>>) pipeline.get("pools")) {
				for (Map<String, Object> server : (List<Map<String, Object>>) pool.get("servers")) {
					active += (int) server.get("activeSessions");
					messages += (long) server.get("messagesUp") + (long) server.get("messagesDown");
					bytes += (long) server.get("bytesUp") + (long) server.get("bytesDown");
					errors += (long) server.get("backendErrors");
				}
			}
		}
		Map<String, Object> totals = new LinkedHashMap<>();
		totals.put("activeSessions", active);
		totals.put("sessions", sessions);
		totals.put("messages", messages);
		totals.put("bytes", bytes);
		totals.put("backendErrors", errors);
		return totals;
	}

	private Map<String, Long> closesByCode() {
		Map<String, Long> byCode = new TreeMap<>();
		for (Counter counter : registry.find(WsgateMeters.CLOSES.meterName()).counters()) {
			byCode.merge(counter.getId().getTag("code"), (long) counter.count(), Long::sum);
		}
		return byCode;
	}
}
