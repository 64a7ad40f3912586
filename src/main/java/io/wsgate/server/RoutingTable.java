package io.wsgate.server;

import io.wsgate.pipeline.Pipeline;
import io.wsgate.request.TrustedProxies;
import io.wsgate.routing.Router;
import org.jspecify.annotations.Nullable;

/**
 * The configuration in force as the listeners' handlers read it, once per request: the routing of
 * each http server and the pipelines. A request holds its pipeline until it ends, a session until it
 * closes, so a replaced configuration closes its filters only when nobody uses them any more.
 */
public interface RoutingTable {

	/** The routing of an http server; null when this configuration has no http server of that name. */
	@Nullable ListenerRouting listener(String httpServer);

	/**
	 * Holds a pipeline for a request; null when this configuration was retired meanwhile (read the
	 * one in force again). Names come from the router of the same table.
	 */
	@Nullable PipelineHold hold(String pipeline);

	/**
	 * What an http server decides per request.
	 *
	 * @param router its rules
	 * @param trustedProxies the addresses whose forwarding headers it believes
	 */
	record ListenerRouting(Router router, TrustedProxies trustedProxies) {
	}

	/** A pipeline held by one user (a request, then its session); released once. */
	interface PipelineHold {

		Pipeline pipeline();

		/** Another hold of the same pipeline, for a session that outlives its request. */
		PipelineHold another();

		/** Ends this hold; later calls do nothing. */
		void release();
	}
}
