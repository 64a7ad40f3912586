package io.wsgate.metrics;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wsgate.metrics.WsgateMeters.TagKey;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;

/**
 * Entry point to wsgate's meters. Per-server meter sets are made when a pool is registered; the
 * per-handshake meters (outcomes, handshake time, closes) are cached by their tags.
 */
public final class GatewayMetrics {

	private final MeterRegistry registry;

	private final Map<String, ServerMeters> servers = new ConcurrentHashMap<>();

	private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

	private final Map<String, Timer> handshakes = new ConcurrentHashMap<>();

	private final Map<String, Counter> closes = new ConcurrentHashMap<>();

	public GatewayMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	/** Creates the meters of a pool's servers, including their health gauges. */
	public void register(ServerPool pool) {
		activate(List.of(pool));
	}

	/**
	 * Makes these pools' servers the metered ones, as a configuration is applied: a server that stays
	 * (same pipeline, pool and URL) keeps its meters, its health gauge now reads the new pool; the
	 * meters of a server that is gone are removed when its last session ends.
	 */
	public synchronized void activate(List<ServerPool> pools) {
		Set<String> kept = new HashSet<>();
		for (ServerPool pool : pools) {
			for (Server server : pool.servers()) {
				kept.add(key(pool, server));
				ServerMeters meters = server(pool, server);
				meters.keep();
				meters.healthGauge(pool, server);
			}
		}
		servers.forEach((key, meters) -> {
			if (!kept.contains(key)) {
				meters.retire(() -> servers.remove(key, meters));
			}
		});
	}

	/** The meters of a server of a registered pool. */
	public ServerMeters server(ServerPool pool, Server server) {
		return servers.computeIfAbsent(key(pool, server), k -> new ServerMeters(registry, pool, server));
	}

	/** The meters of every metered server: those in force, and removed ones whose sessions still run. */
	public Collection<ServerMeters> servers() {
		return servers.values();
	}

	/** The number of servers with meters (those in force, and removed ones with sessions still open). */
	public int meteredServers() {
		return servers.size();
	}

	/** Pool names are unique only inside their pipeline (every pipeline may have a filter "wsproxy"). */
	private static String key(ServerPool pool, Server server) {
		return pool.pipeline() + '\0' + pool.name() + '\0' + server.url();
	}

	/** Counts a handshake that reached a WebSocketProxy, by outcome. */
	public void handshakeOutcome(String httpServer, String pipeline, String pool, HandshakeOutcome outcome) {
		outcomes.computeIfAbsent(httpServer + '\0' + pipeline + '\0' + pool + '\0' + outcome.tag(),
				k -> Counter.builder(WsgateMeters.SESSIONS.meterName())
					.description(WsgateMeters.SESSIONS.description())
					.tags(TagKey.HTTP_SERVER.asString(), httpServer, TagKey.PIPELINE.asString(), pipeline,
							TagKey.POOL.asString(), pool, TagKey.OUTCOME.asString(), outcome.tag())
					.register(registry))
			.increment();
	}

	/** The handshake timer of a pool (a percentile histogram for Prometheus). */
	public Timer handshakeTimer(String httpServer, String pipeline, String pool) {
		return handshakes.computeIfAbsent(httpServer + '\0' + pipeline + '\0' + pool,
				k -> Timer.builder(WsgateMeters.HANDSHAKE_DURATION.meterName())
					.description(WsgateMeters.HANDSHAKE_DURATION.description())
					.tags(TagKey.HTTP_SERVER.asString(), httpServer, TagKey.PIPELINE.asString(), pipeline,
							TagKey.POOL.asString(), pool)
					.publishPercentileHistogram()
					.register(registry));
	}

	/**
	 * The counter of one result of a pipeline's filter ({@link WsgateMeters#CONTINUE_RESULT} when it let
	 * the handshake on).
	 */
	public Counter filterResult(String pipeline, String filter, String kind, String result) {
		return Counter.builder(WsgateMeters.FILTER_RESULTS.meterName())
			.description(WsgateMeters.FILTER_RESULTS.description())
			.tags(TagKey.PIPELINE.asString(), pipeline, TagKey.FILTER.asString(), filter, TagKey.KIND.asString(), kind,
					TagKey.RESULT.asString(), result)
			.register(registry);
	}

	/** Counts an ended session by close code and initiator ({@link CloseInitiator}: client, backend or gateway). */
	public void closed(String pipeline, String pool, int code, String initiator) {
		String codeTag = codeTag(code);
		closes.computeIfAbsent(pipeline + '\0' + pool + '\0' + codeTag + '\0' + initiator,
				k -> Counter.builder(WsgateMeters.CLOSES.meterName())
					.description(WsgateMeters.CLOSES.description())
					.tags(TagKey.PIPELINE.asString(), pipeline, TagKey.POOL.asString(), pool, TagKey.CODE.asString(), codeTag,
							TagKey.INITIATOR.asString(), initiator)
					.register(registry))
			.increment();
	}

	/** Close codes of applications (3000-4999) are grouped, so the tag stays low-cardinality. */
	static String codeTag(int code) {
		if (code >= 4000 && code <= 4999) {
			return "4xxx";
		}
		if (code >= 3000 && code <= 3999) {
			return "3xxx";
		}
		return String.valueOf(code);
	}
}
