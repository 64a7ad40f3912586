package io.wsgate.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolValidator;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pool.BackendTls;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.WebSocketProxyFilter.ProxyPool;
import io.wsgate.proxy.WebSocketProxySpec.Compression;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.status.SessionListener;
import io.wsgate.tracing.HandshakeTracing;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundles;

/** The {@code WebSocketProxy} filter kind: validation of its options and creation of its filters. */
public final class WebSocketProxyKind implements FilterKind<WebSocketProxySpec> {

	public static final String NAME = "WebSocketProxy";

	private final BackendDialer dialer;

	private final PoolRegistry pools;

	private final GatewayMetrics metrics;

	private final SessionListener listener;

	private final SessionRegistry sessions;

	private final Duration retryAfter;

	private final SslBundles sslBundles;

	private final HandshakeTracing tracing;

	private final PoolValidator poolValidator;

	public WebSocketProxyKind(BackendDialer dialer, PoolRegistry pools, GatewayMetrics metrics, SessionListener listener,
			SessionRegistry sessions, Duration retryAfter, SslBundles sslBundles, HandshakeTracing tracing) {
		this.dialer = dialer;
		this.pools = pools;
		this.metrics = metrics;
		this.listener = listener;
		this.sessions = sessions;
		this.retryAfter = retryAfter;
		this.sslBundles = sslBundles;
		this.tracing = tracing;
		this.poolValidator = new PoolValidator(sslBundles, tls -> BackendTls.of(tls, sslBundles));
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Set<String> results() {
		return WebSocketProxyFilter.RESULTS;
	}

	@Override
	public Class<WebSocketProxySpec> specType() {
		return WebSocketProxySpec.class;
	}

	@Override
	public Filter create(WebSocketProxySpec spec, String filterName, String pipelineName) {
		List<ProxyPool> candidates = new ArrayList<>();
		@Nullable ProxyPool main = null;
		int candidateIndex = 0;
		for (PoolSpec poolSpec : spec.pools()) {
			String name = "websocketproxy#" + filterName + "#"
					+ (poolSpec.isMain() ? "main" : "candidate#" + candidateIndex++);
			ServerPool pool = new ServerPool(pipelineName, name, poolSpec, BackendTls.of(poolSpec.serverTls(), sslBundles),
					pools);
			// Its meters are made when its configuration is applied (GatewayRuntimes).
			pools.register(pipelineName, pool);
			ProxyPool proxyPool = new ProxyPool(pool, new OriginCheck(poolSpec.originPatterns(), poolSpec.insecureSkipVerify()));
			if (poolSpec.isMain()) {
				main = proxyPool;
			}
			else {
				candidates.add(proxyPool);
			}
		}
		// The validation made sure there is one.
		ProxyPool mainPool = Objects.requireNonNull(main, "no main pool");
		return new WebSocketProxyFilter(spec.defaultOrigin(), spec.parsedCompression() == Compression.PASSTHROUGH,
				List.copyOf(candidates), mainPool, dialer, metrics, listener, sessions, retryAfter, tracing);
	}

	@Override
	public void validate(WebSocketProxySpec spec, String path, ConfigProblems problems) {
		if (!poolValidator.validateMain(spec.pools(), path + ".pools", problems)) {
			return;
		}
		if (!spec.defaultOrigin().isEmpty() && !spec.defaultOrigin().matches("(?i)(https?|null)(://.+)?")) {
			problems.add(path + ".defaultOrigin", "'" + spec.defaultOrigin() + "' (expected: an origin like http://host)");
		}
		if (spec.parsedCompression() == null) {
			problems.add(path + ".compression", "'" + spec.compression() + "' (expected: passthrough or off)");
		}
		poolValidator.validate(spec.pools(), path + ".pools", problems);
	}
}
