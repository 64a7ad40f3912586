package io.wsgate.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.ConfigValidator;
import io.wsgate.config.HealthCheckValidator;
import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolSpec.RequestMatcherSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.PoolSpec.StickySessionSpec;
import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.config.ServerTlsSpec;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pool.BackendTls;
import io.wsgate.pool.LoadBalancePolicy;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.pool.StickySession;
import io.wsgate.proxy.WebSocketProxyFilter.ProxyPool;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.status.SessionListener;
import io.wsgate.tracing.HandshakeTracing;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundles;

/** The {@code WebSocketProxy} filter kind: validation of its options and creation of its filters. */
public final class WebSocketProxyKind implements FilterKind<WebSocketProxySpec> {

	public static final String NAME = "WebSocketProxy";

	/**
	 * The values of {@code compression}. YAML 1.1 (Spring's and Helm's parsers) reads an unquoted
	 * {@code off} as the boolean false, which binds as "false": it means off.
	 */
	private static final Set<String> COMPRESSION = Set.of("", "passthrough", "off", "false");

	private final BackendDialer dialer;

	private final PoolRegistry pools;

	private final GatewayMetrics metrics;

	private final SessionListener listener;

	private final SessionRegistry sessions;

	private final Duration retryAfter;

	private final SslBundles sslBundles;

	private final HandshakeTracing tracing;

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
		return new WebSocketProxyFilter(spec.defaultOrigin(), passesCompression(spec.compression()), List.copyOf(candidates),
				mainPool, dialer, metrics, listener, sessions, retryAfter, tracing);
	}

	@Override
	public void validate(WebSocketProxySpec spec, String path, ConfigProblems problems) {
		if (spec.pools().isEmpty()) {
			problems.add(path + ".pools", "at least one pool is required");
			return;
		}
		long mains = spec.pools().stream().filter(PoolSpec::isMain).count();
		if (mains != 1) {
			problems.add(path + ".pools", "exactly one pool without 'filter' is required (found " + mains + ")");
		}
		if (!spec.defaultOrigin().isEmpty() && !spec.defaultOrigin().matches("(?i)(https?|null)(://.+)?")) {
			problems.add(path + ".defaultOrigin", "'" + spec.defaultOrigin() + "' (expected: an origin like http://host)");
		}
		if (!COMPRESSION.contains(spec.compression().toLowerCase(Locale.ROOT))) {
			problems.add(path + ".compression", "'" + spec.compression() + "' (expected: passthrough or off)");
		}
		for (int p = 0; p < spec.pools().size(); p++) {
			validatePool(spec.pools().get(p), path + ".pools[" + p + "]", problems);
		}
	}

	/** Whether {@code compression} (validated) lets permessage-deflate through. */
	private static boolean passesCompression(String compression) {
		return compression.isEmpty() || compression.equalsIgnoreCase("passthrough");
	}

	private void validatePool(PoolSpec pool, String path, ConfigProblems problems) {
		if (pool.servers().isEmpty()) {
			problems.add(path + ".servers", "at least one server is required");
		}
		int weighted = 0;
		java.util.Set<String> endpoints = new java.util.HashSet<>();
		for (int s = 0; s < pool.servers().size(); s++) {
			ServerSpec server = pool.servers().get(s);
			String serverPath = path + ".servers[" + s + "]";
			try {
				if (!endpoints.add(Server.webSocketUri(server.url()).getAuthority())) {
					problems.add(serverPath + ".url", "'" + server.url() + "': another server of the pool has the same host and port");
				}
			}
			catch (IllegalArgumentException ex) {
				problems.add(serverPath + ".url", "'" + server.url() + "': " + ex.getMessage());
			}
			if (server.weight() < 0 || server.weight() > 100) {
				problems.add(serverPath + ".weight", server.weight() + " (expected: 0..100)");
			}
			if (server.weight() > 0) {
				weighted++;
			}
		}
		if (!pool.serverTags().isEmpty() && !pool.servers().isEmpty() && pool.selectedServers().isEmpty()) {
			problems.add(path + ".serverTags", "no server of the pool carries one of " + pool.serverTags());
		}
		if (weighted > 0 && weighted < pool.servers().size()) {
			problems.add(path + ".servers", "weights are set on " + weighted + " of " + pool.servers().size()
					+ " servers: set a weight on every server or on none");
		}
		String policy = pool.loadBalance().policy();
		if (LoadBalancePolicy.named(policy) == null) {
			problems.add(path + ".loadBalance.policy", "unknown policy '" + policy + "' (expected one of "
					+ LoadBalancePolicy.NAMES + ")");
		}
		else if (policy.equalsIgnoreCase("headerHash") && pool.loadBalance().headerHashKey().isBlank()) {
			problems.add(path + ".loadBalance.headerHashKey", "is required by the headerHash policy");
		}
		else if (policy.equalsIgnoreCase("weightedRandom") && weighted == 0 && !pool.servers().isEmpty()) {
			problems.add(path + ".servers", "the weightedRandom policy needs a weight on every server");
		}
		validateSticky(pool.loadBalance().stickySession(), path + ".loadBalance.stickySession", problems);
		checkSize(pool.clientMaxMsgSize(), path + ".clientMaxMsgSize", problems);
		checkSize(pool.serverMaxMsgSize(), path + ".serverMaxMsgSize", problems);
		if (pool.connectTimeout().isNegative() || pool.connectTimeout().isZero()) {
			problems.add(path + ".connectTimeout", "must be positive");
		}
		for (var timeout : Map.of("idleTimeout", pool.idleTimeout(), "pingInterval", pool.pingInterval(),
				"pingTimeout", pool.pingTimeout()).entrySet()) {
			if (timeout.getValue().isNegative()) {
				problems.add(path + "." + timeout.getKey(), "must not be negative (0 switches it off)");
			}
		}
		if (pool.dnsRefresh().isNegative()) {
			problems.add(path + ".dnsRefresh", "must not be negative (0 switches it off)");
		}
		else if (pool.resolvesNames() && pool.dnsRefresh().compareTo(PoolSpec.MIN_DNS_REFRESH) < 0) {
			problems.add(path + ".dnsRefresh", pool.dnsRefresh().toMillis() + "ms is too short (at least "
					+ PoolSpec.MIN_DNS_REFRESH.toSeconds() + "s, or 0 for off)");
		}
		if (!pool.pingInterval().isZero() && (pool.pingTimeout().isZero() || pool.pingTimeout().isNegative())) {
			problems.add(path + ".pingTimeout", "must be positive when pingInterval is set");
		}
		validateServerTls(pool.serverTls(), path + ".serverTls", problems);
		if (pool.maxSessions() < 0) {
			problems.add(path + ".maxSessions", pool.maxSessions() + " (expected: 0 for unlimited, or more)");
		}
		for (int o = 0; o < pool.originPatterns().size(); o++) {
			try {
				OriginCheck.globToRegex(pool.originPatterns().get(o));
			}
			catch (RuntimeException ex) {
				problems.add(path + ".originPatterns[" + o + "]", "invalid pattern: " + ex.getMessage());
			}
		}
		if (pool.filter() != null) {
			validateMatcher(pool.filter(), path + ".filter", problems);
		}
		HealthCheckValidator.validate(pool.healthCheck(), path + ".healthCheck", problems);
		HealthCheckValidator.validatePassive(pool.passiveHealthCheck(), path + ".passiveHealthCheck", problems);
	}

	private void validateServerTls(ServerTlsSpec tls, String path, ConfigProblems problems) {
		if (tls == null) {
			return;
		}
		if (!tls.bundle().isEmpty() && !(tls.ca() + tls.cert() + tls.key()).isEmpty()) {
			// BackendTls would prefer the PEM locations over the bundle's material: one source only.
			problems.add(path, "set bundle or ca/cert/key, not both: " + ConfigValidator.BUNDLE_CARRIES);
			return;
		}
		if (tls.cert().isEmpty() != tls.key().isEmpty()) {
			problems.add(path, "set both cert and key, or neither");
			return;
		}
		if (!ConfigValidator.checkSslBundle(tls.bundle(), sslBundles.getBundleNames(), path + ".bundle", problems)) {
			return;
		}
		try {
			BackendTls.of(tls, sslBundles);
		}
		catch (RuntimeException ex) {
			problems.add(path, "cannot be loaded: " + ex.getMessage());
		}
	}

	private static void validateSticky(StickySessionSpec sticky, String path, ConfigProblems problems) {
		if (sticky == null) {
			return;
		}
		boolean known = StickySession.MODES.stream().anyMatch(m -> m.equalsIgnoreCase(sticky.mode()));
		if (!known) {
			problems.add(path + ".mode", "'" + sticky.mode() + "' (expected one of " + StickySession.MODES + ")");
		}
		String mode = sticky.mode().toLowerCase(Locale.ROOT);
		if ((mode.equals("cookieconsistenthash") || mode.equals("applicationbased")) && sticky.appCookieName().isBlank()) {
			problems.add(path + ".appCookieName", "is required by the " + sticky.mode() + " mode");
		}
	}

	private static void checkSize(long size, String path, ConfigProblems problems) {
		if (size == 0 || size < -1) {
			problems.add(path, size + " (expected: a positive number of bytes, or -1 for unlimited)");
		}
	}

	private static void validateMatcher(RequestMatcherSpec filter, String path, ConfigProblems problems) {
		if (filter.headers().isEmpty() && filter.urls().isEmpty()) {
			problems.add(path, "set headers or urls: a candidate pool needs a condition");
		}
		for (Map.Entry<String, StringMatcherSpec> header : filter.headers().entrySet()) {
			validateStringMatcher(header.getValue(), path + ".headers." + header.getKey(), problems);
		}
		for (int u = 0; u < filter.urls().size(); u++) {
			String urlPath = path + ".urls[" + u + "]";
			var url = filter.urls().get(u);
			if (url.url() == null) {
				problems.add(urlPath + ".url", "is required");
			}
			else {
				validateStringMatcher(url.url(), urlPath + ".url", problems);
			}
			for (String method : url.methods()) {
				if (!ConfigValidator.HTTP_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
					problems.add(urlPath + ".methods", "'" + method + "' is not an HTTP method");
				}
			}
		}
	}

	private static void validateStringMatcher(StringMatcherSpec matcher, String path, ConfigProblems problems) {
		boolean anyPattern = !matcher.exact().isEmpty() || !matcher.prefix().isEmpty() || !matcher.regex().isEmpty();
		if (matcher.empty() && anyPattern) {
			problems.add(path, "'empty' cannot be combined with exact, prefix or regex");
		}
		else if (!matcher.empty() && !anyPattern) {
			problems.add(path, "set one of exact, prefix, regex or empty");
		}
		ConfigValidator.checkRegex(matcher.regex(), path + ".regex", problems);
	}
}
