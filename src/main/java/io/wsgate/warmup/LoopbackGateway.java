package io.wsgate.warmup;

import java.net.URI;
import java.time.Duration;
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
import io.wsgate.status.SessionListener;
import io.wsgate.tracing.HandshakeTracing;

import org.springframework.boot.ssl.SslBundles;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A gateway of its own inside the application, for the warm-up: one http server on an ephemeral
 * 127.0.0.1 port routing {@code /warm-up} through a WebSocketProxy pipeline to an echo backend, built
 * by the same code as the configured ones (the snapshot, the runtime, the listener, the filter, the
 * dialer, the frame path) on the same event loops, so that what the JIT compiles for it is what the
 * first clients run. Its meters, pools, sessions and closes are its own: nothing of the warm-up shows
 * in the gateway's meters, status, dashboard, health or access log.
 */
final class LoopbackGateway implements AutoCloseable {

	static final String NAME = "warm-up";

	private final EchoBackend echo;

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
		echo.start();
		try {
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
				.build(SnapshotLoader.fixed(route(echo.port()), kinds));
			pools.commit(runtime.pools());
			this.listeners = new Listeners(runtime.httpServers(), () -> runtime, resources, sslBundles,
					new Listeners.Drain(Duration.ZERO, () -> {
					}, () -> {
					}), HandshakeTracing.OFF);
			listeners.start();
		}
		catch (RuntimeException ex) {
			echo.stop();
			throw ex;
		}
	}

	/** The route, as a user would write it. */
	private static Map<String, Object> route(int echoPort) {
		return Map.of(
				"wsgate.http-servers[0].name", NAME,
				"wsgate.http-servers[0].address", "127.0.0.1",
				"wsgate.http-servers[0].port", 0,
				"wsgate.http-servers[0].rules[0].paths[0].path", "/" + NAME,
				"wsgate.http-servers[0].rules[0].paths[0].backend", NAME,
				"wsgate.pipelines[0].name", NAME,
				"wsgate.pipelines[0].filters[0].kind", WebSocketProxyKind.NAME,
				"wsgate.pipelines[0].filters[0].name", "wsproxy",
				"wsgate.pipelines[0].filters[0].pools[0].servers[0].url", "ws://127.0.0.1:" + echoPort);
	}

	/** Where clients connect. */
	URI uri() {
		return URI.create("ws://127.0.0.1:" + listeners.port(NAME) + "/" + NAME);
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
		echo.stop();
		registry.close();
	}
}
