package io.wsgate.runtime;

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
	public synchronized GatewayRuntime build(ConfigSnapshot snapshot) {
		pools.beginBuild();
		try {
			Pipelines pipelines = new Pipelines(snapshot.pipelines(), filters, outcomes);
			return new GatewayRuntime(snapshot, pipelines, pools.endBuild());
		}
		finally {
			pools.endBuild();
		}
	}
}
