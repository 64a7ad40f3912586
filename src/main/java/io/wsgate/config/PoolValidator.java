package io.wsgate.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.wsgate.config.PoolSpec.Policy;
import io.wsgate.config.PoolSpec.RequestMatcherSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.PoolSpec.StickyMode;
import io.wsgate.config.PoolSpec.StickySessionSpec;
import io.wsgate.config.PoolSpec.StringMatcherSpec;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundles;

/**
 * Checks the {@code pools} of a WebSocketProxy: servers, weights, policy, stickiness, sizes, timeouts,
 * TLS, candidate matchers and health checks, naming the key of each problem.
 */
public final class PoolValidator {

	private final SslBundles sslBundles;

	private final Consumer<ServerTlsSpec> tlsLoader;

	/**
	 * @param sslBundles the bundles a {@code serverTls.bundle} may name
	 * @param tlsLoader loads a pool's {@code serverTls} material as its dials will, and throws with
	 * the reason when it cannot (the pool's TLS is the pool package's, which builds on this one)
	 */
	public PoolValidator(SslBundles sslBundles, Consumer<ServerTlsSpec> tlsLoader) {
		this.sslBundles = sslBundles;
		this.tlsLoader = tlsLoader;
	}

	/**
	 * Checks that {@code pools}, the list at {@code path}, has exactly one main pool.
	 *
	 * @return false when the list is empty: there is nothing more to check of the proxy
	 */
	public boolean validateMain(List<PoolSpec> pools, String path, ConfigProblems problems) {
		if (pools.isEmpty()) {
			problems.add(path, "at least one pool is required");
			return false;
		}
		long mains = pools.stream().filter(PoolSpec::isMain).count();
		if (mains != 1) {
			problems.add(path, "exactly one pool without 'filter' is required (found " + mains + ")");
		}
		return true;
	}

	/** Checks each pool of {@code pools}, the list at {@code path}. */
	public void validate(List<PoolSpec> pools, String path, ConfigProblems problems) {
		for (int p = 0; p < pools.size(); p++) {
			validatePool(pools.get(p), path + "[" + p + "]", problems);
		}
	}

	private void validatePool(PoolSpec pool, String path, ConfigProblems problems) {
		if (pool.servers().isEmpty()) {
			problems.add(path + ".servers", "at least one server is required");
		}
		int weighted = 0;
		Set<String> endpoints = new HashSet<>();
		for (int s = 0; s < pool.servers().size(); s++) {
			ServerSpec server = pool.servers().get(s);
			String serverPath = path + ".servers[" + s + "]";
			try {
				if (!endpoints.add(ServerSpec.webSocketUri(server.url()).getAuthority())) {
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
		Policy policy = pool.loadBalance().parsedPolicy();
		if (policy == null) {
			problems.add(path + ".loadBalance.policy", "unknown policy '" + pool.loadBalance().policy() + "' (expected one of "
					+ Spelled.spellings(Policy.class) + ")");
		}
		else if (policy == Policy.HEADER_HASH && pool.loadBalance().headerHashKey().isBlank()) {
			problems.add(path + ".loadBalance.headerHashKey", "is required by the headerHash policy");
		}
		else if (policy == Policy.WEIGHTED_RANDOM && weighted == 0 && !pool.servers().isEmpty()) {
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
				OriginGlob.compile(pool.originPatterns().get(o));
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

	private void validateServerTls(@Nullable ServerTlsSpec tls, String path, ConfigProblems problems) {
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
			tlsLoader.accept(tls);
		}
		catch (RuntimeException ex) {
			problems.add(path, "cannot be loaded: " + ex.getMessage());
		}
	}

	private static void validateSticky(@Nullable StickySessionSpec sticky, String path, ConfigProblems problems) {
		if (sticky == null) {
			return;
		}
		StickyMode mode = sticky.parsedMode();
		if (mode == null) {
			problems.add(path + ".mode", "'" + sticky.mode() + "' (expected one of " + Spelled.spellings(StickyMode.class) + ")");
		}
		else if (mode.needsAppCookie() && sticky.appCookieName().isBlank()) {
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
