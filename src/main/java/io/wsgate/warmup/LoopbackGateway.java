package io.wsgate.warmup;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.config.WsgateProperties.LimitsSpec;
import io.wsgate.demo.EchoBackend;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.FilterOutcomes;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.proxy.WebSocketProxyKind;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.runtime.GatewayRuntime;
import io.wsgate.runtime.RuntimeFactory;
import io.wsgate.runtime.SnapshotLoader;
import io.wsgate.server.Listeners;
import io.wsgate.server.RoutingInForce;
import io.wsgate.status.SessionListener;
import io.wsgate.tracing.HandshakeTracing;

import org.springframework.boot.ssl.SslBundles;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A gateway of its own inside the application, for the warm-up: one http server on an ephemeral
 * 127.0.0.1 port routing to two WebSocketProxy pipelines, built by the same code as the configured
 * ones (the snapshot, the runtime, the listener, the filter, the dialer, the frame path) on the same
 * event loops, so that what the JIT compiles for it is what the first clients run. The two routes
 * differ where configurations commonly do, so that code compiled for one shape is not thrown away
 * (deoptimised, then compiled again) when the first clients take the other: {@code /warm-up}, one
 * server with the default limits and timers; {@code /warm-up-pair}, two servers (the second echo
 * backend) with no message size limit, and a ping interval short enough that the sessions' timers
 * fire during the warm-up. Its meters, pools, sessions and closes are its own: nothing of the
 * warm-up shows in the gateway's meters, status, dashboard, health or access log.
 */
final class LoopbackGateway implements AutoCloseable {

	static final String NAME = "warm-up";

	/** The second route's path and pipeline. */
	static final String PAIR = NAME + "-pair";

	private final EchoBackend echo;

	private final EchoBackend secondEcho;

	private final SessionRegistry sessions;

	private final BackendDialer dialer;

	private final GatewayRuntime runtime;

	private final Listeners listeners;

	private final MeterRegistry registry;

	/**
	 * @param registry where its meters go: a registry of the application's kind (the same meter
	 * classes are then compiled for), dropped at the end
	 */
	LoopbackGateway(ReactorResourceFactory resources, SslBundles sslBundles, MeterRegistry registry) {
		this.registry = registry;
		this.echo = new EchoBackend(NAME, 0, false, resources.getLoopResources());
		this.secondEcho = new EchoBackend(PAIR, 0, false, resources.getLoopResources());
		echo.start();
		try {
			secondEcho.start();
			GatewayMetrics metrics = new GatewayMetrics(registry);
			PoolRegistry pools = new PoolRegistry();
			SessionListener nobody = summary -> {
			};
			this.sessions = new SessionRegistry(LimitsSpec.defaults());
			this.dialer = new BackendDialer(metrics, resources.getLoopResources());
			WebSocketProxyKind proxy = new WebSocketProxyKind(dialer,
					pools, metrics, nobody, sessions, LimitsSpec.defaults().retryAfter(), sslBundles, HandshakeTracing.OFF);
			FilterRegistry kinds = new FilterRegistry(List.of(proxy));
			this.runtime = new RuntimeFactory(kinds, pools, new FilterOutcomes(metrics, nobody))
				.build(SnapshotLoader.fixed(routes(echo.port(), secondEcho.port()), kinds));
			pools.commit(runtime.pools());
			this.listeners = new Listeners(runtime.httpServers(), new RoutingInForce<>(runtime), resources, sslBundles,
					new Listeners.Drain(Duration.ZERO, () -> {
					}, () -> {
					}), HandshakeTracing.OFF);
			listeners.start();
		}
		catch (RuntimeException ex) {
			secondEcho.stop();
			echo.stop();
			throw ex;
		}
	}

	/** The routes, as a user would write them. */
	private static Map<String, Object> routes(int echoPort, int secondEchoPort) {
		Map<String, Object> routes = new HashMap<>();
		routes.put("wsgate.http-servers[0].name", NAME);
		routes.put("wsgate.http-servers[0].address", "127.0.0.1");
		routes.put("wsgate.http-servers[0].port", 0);
		String[] paths = { NAME, PAIR };
		for (int i = 0; i < paths.length; i++) {
			routes.put("wsgate.http-servers[0].rules[0].paths[" + i + "].path", "/" + paths[i]);
			routes.put("wsgate.http-servers[0].rules[0].paths[" + i + "].backend", paths[i]);
			routes.put("wsgate.pipelines[" + i + "].name", paths[i]);
			routes.put("wsgate.pipelines[" + i + "].filters[0].kind", WebSocketProxyKind.NAME);
			routes.put("wsgate.pipelines[" + i + "].filters[0].name", "wsproxy");
			routes.put("wsgate.pipelines[" + i + "].filters[0].pools[0].servers[0].url", "ws://127.0.0.1:" + echoPort);
		}
		String pair = "wsgate.pipelines[1].filters[0].pools[0].";
		routes.put(pair + "servers[1].url", "ws://127.0.0.1:" + secondEchoPort);
		routes.put(pair + "clientMaxMsgSize", -1);
		routes.put(pair + "serverMaxMsgSize", -1);
		// The timer's period is a quarter of this (at least 50 ms): it fires within a warm-up session.
		routes.put(pair + "pingInterval", "200ms");
		return routes;
	}

	/** Where clients connect: one URI per route. */
	List<URI> uris() {
		String base = "ws://127.0.0.1:" + listeners.port(NAME) + "/";
		return List.of(URI.create(base + NAME), URI.create(base + PAIR));
	}

	/** The sessions it relays now. */
	int activeSessions() {
		return sessions.active();
	}

	/** Closes what is still open (with 1001) and stops the listener, the pipeline and the echo backend. */
	@Override
	public void close() {
		sessions.goAwayAll("warm-up over");
		listeners.stop();
		runtime.retire();
		dialer.close();
		secondEcho.stop();
		echo.stop();
		registry.close();
	}
}
