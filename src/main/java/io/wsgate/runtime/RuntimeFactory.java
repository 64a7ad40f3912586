package io.wsgate.runtime;

import java.util.List;
import java.util.Map;

import io.wsgate.pipeline.FilterOutcomes;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.pool.PoolRegistry;

/**
 * Builds the runtime of a validated snapshot: the pipelines with their filters (each kind makes
 * its own; the WebSocketProxy kind makes its pools, which take over the health state and session
 * counts of the pools of the same place in force) and each http server's router. Nothing it builds
 * is in force, or metered, or checked, until {@link GatewayRuntimes} applies it.
 */
public final class RuntimeFactory {

	private final FilterRegistry filters;

	private final PoolRegistry pools;

	private final FilterOutcomes outcomes;

	/**
	 * @param outcomes where the filters' results and refusals are reported
	 */
	public RuntimeFactory(FilterRegistry filters, PoolRegistry pools, FilterOutcomes outcomes) {
		this.filters = filters;
		this.pools = pools;
		this.outcomes = outcomes;
	}

	/** Builds, without applying; a filter that cannot be made fails the build, with nothing left open. */
	public GatewayRuntime build(ConfigSnapshot snapshot) {
		return build(snapshot, Map.of());
	}

	/**
	 * Builds, without applying, with these addresses for the servers' DNS names ({@code dnsRefresh}):
	 * such a server is one server per address of its name.
	 *
	 * @param addresses per DNS name, its addresses as last resolved
	 */
	public synchronized GatewayRuntime build(ConfigSnapshot snapshot, Map<String, List<String>> addresses) {
		pools.beginBuild(addresses);
		try {
			Pipelines pipelines = new Pipelines(snapshot.pipelines(), filters, outcomes);
			return new GatewayRuntime(snapshot, pipelines, pools.endBuild(), addresses);
		}
		finally {
			pools.endBuild();
		}
	}
}
