package io.wsgate.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.ServerPool;
import io.wsgate.pool.ServerState;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code wsgate} component of Actuator health: pipeline, then pool, each pool with its servers
 * in its details. A pool is DOWN only when none of its servers is available, and the gateway's
 * status follows its pools. Reading health never probes anything: it shows what the checks and the
 * passive health already recorded.
 */
public final class GatewayHealthContributor {

	private GatewayHealthContributor() {
	}

	/**
	 * The health tree of the pools in force, read again when a reload replaced them (Actuator asks
	 * for the tree on each request).
	 */
	public static HealthContributor live(PoolRegistry pools) {
		return new LiveTree(pools);
	}

	private static final class LiveTree implements CompositeHealthContributor {

		private final PoolRegistry pools;

		private @Nullable List<PoolRegistry.Entry> builtFor;

		private @Nullable HealthContributor tree;

		LiveTree(PoolRegistry pools) {
			this.pools = pools;
		}

		private synchronized HealthContributor tree() {
			List<PoolRegistry.Entry> entries = pools.entries();
			HealthContributor current = tree;
			if (current == null || entries != builtFor) {
				current = of(pools);
				tree = current;
				builtFor = entries;
			}
			return current;
		}

		private CompositeHealthContributor composite() {
			HealthContributor current = tree();
			return (current instanceof CompositeHealthContributor composite) ? composite
					: CompositeHealthContributor.fromMap(Map.of("pipelines", current));
		}

		@Override
		public @Nullable HealthContributor getContributor(String name) {
			return composite().getContributor(name);
		}

		@Override
		public java.util.stream.Stream<HealthContributors.Entry> stream() {
			return composite().stream();
		}
	}

	/** The health tree of the registered pools. */
	public static HealthContributor of(PoolRegistry pools) {
		Map<String, Map<String, HealthContributor>> byPipeline = new LinkedHashMap<>();
		for (PoolRegistry.Entry entry : pools.entries()) {
			byPipeline.computeIfAbsent(entry.pipeline(), p -> new LinkedHashMap<>())
				.put(key(entry.pool()), poolIndicator(entry.pool()));
		}
		if (byPipeline.isEmpty()) {
			return (HealthIndicator) () -> Health.up().withDetail("pipelines", 0).build();
		}
		Map<String, HealthContributor> pipelines = new LinkedHashMap<>();
		byPipeline.forEach((pipeline, poolMap) -> pipelines.put(pipeline, CompositeHealthContributor.fromMap(poolMap)));
		return CompositeHealthContributor.fromMap(pipelines);
	}

	/** websocketproxy#wsproxy#main becomes wsproxy-main, a name usable in /actuator/health/... paths. */
	static String key(ServerPool pool) {
		String[] parts = pool.name().split("#");
		return String.join("-", java.util.Arrays.copyOfRange(parts, 1, parts.length));
	}

	private static HealthIndicator poolIndicator(ServerPool pool) {
		return () -> {
			List<ServerState.Snapshot> states = pool.serverStates();
			Map<String, Object> servers = new LinkedHashMap<>();
			long available = 0;
			for (ServerState.Snapshot state : states) {
				servers.put(state.url(), serverDetails(state));
				if (state.available()) {
					available++;
				}
			}
			Health.Builder builder = (available > 0) ? Health.up() : Health.down();
			return builder.withDetail("pool", pool.name())
				.withDetail("availableServers", available)
				.withDetail("servers", servers)
				.build();
		};
	}

	private static Map<String, Object> serverDetails(ServerState.Snapshot state) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("url", state.url());
		if (!state.tags().isEmpty()) {
			details.put("tags", state.tags());
		}
		details.put("status", state.available() ? "UP" : "DOWN");
		details.put("lastCheck", format(state.lastCheck()));
		details.put("lastFailure", state.lastFailure());
		details.put("consecutiveSuccesses", state.consecutiveSuccesses());
		details.put("consecutiveFailures", state.consecutiveFailures());
		details.put("consecutiveDialFailures", state.consecutiveDialFailures());
		if (state.ejectedUntil() != null) {
			details.put("takenOutUntil", format(state.ejectedUntil()));
		}
		return details;
	}

	private static @Nullable String format(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}
}
