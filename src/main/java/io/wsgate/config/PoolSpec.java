package io.wsgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A pool of backend servers of a WebSocketProxy.
 *
 * @param servers the backends
 * @param serverTags when set, the pool uses only the servers that carry one of these tags (Easegress)
 * @param loadBalance how a server is picked (default round robin)
 * @param clientMaxMsgSize max bytes of one message from the client (default 32769, -1 = unlimited)
 * @param serverMaxMsgSize max bytes of one message from the backend (default 32769, -1 = unlimited)
 * @param filter makes this a candidate pool, chosen when the request matches
 * @param originPatterns extra allowed browser Origins (globs on host[:port])
 * @param insecureSkipVerify skip the Origin check (the Easegress meaning; nothing to do with TLS)
 * @param connectTimeout time allowed to connect to a backend and finish its handshake (default 10s)
 * @param healthCheck active health check of the servers (none by default)
 * @param passiveHealthCheck taking failing servers out on real traffic (on by default)
 * @param idleTimeout close a session after this long without a message either way (default 0 = never)
 * @param pingInterval ping a side that has sent nothing for this long (default 30s, 0 = never)
 * @param pingTimeout a pinged side that stays silent this much longer is closed as dead (default 10s)
 * @param maxSessions most concurrent sessions of the pool (default 0 = unlimited)
 * @param serverTls TLS toward wss:// servers (default: the JVM's trust store)
 * @param dnsRefresh a server whose host is a DNS name becomes one server per address it resolves to,
 * re-resolved this often (default 0 = off: the name is resolved at each dial)
 */
public record PoolSpec(List<ServerSpec> servers, List<String> serverTags, LoadBalanceSpec loadBalance, Long clientMaxMsgSize,
		Long serverMaxMsgSize, RequestMatcherSpec filter, List<String> originPatterns, Boolean insecureSkipVerify,
		Duration connectTimeout, HealthCheckSpec healthCheck, PassiveHealthCheckSpec passiveHealthCheck,
		Duration idleTimeout, Duration pingInterval, Duration pingTimeout, Integer maxSessions,
		ServerTlsSpec serverTls, Duration dnsRefresh) {

	/** The seed's default message size limit. */
	public static final long DEFAULT_MAX_MSG_SIZE = 32769;

	public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

	public PoolSpec {
		servers = Specs.list(servers);
		serverTags = Specs.list(serverTags);
		loadBalance = (loadBalance != null) ? loadBalance : new LoadBalanceSpec(null, null, null);
		clientMaxMsgSize = (clientMaxMsgSize != null) ? clientMaxMsgSize : DEFAULT_MAX_MSG_SIZE;
		serverMaxMsgSize = (serverMaxMsgSize != null) ? serverMaxMsgSize : DEFAULT_MAX_MSG_SIZE;
		originPatterns = Specs.list(originPatterns);
		insecureSkipVerify = Boolean.TRUE.equals(insecureSkipVerify);
		connectTimeout = (connectTimeout != null) ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
		passiveHealthCheck = (passiveHealthCheck != null) ? passiveHealthCheck : PassiveHealthCheckSpec.DEFAULT;
		idleTimeout = (idleTimeout != null) ? idleTimeout : Duration.ZERO;
		pingInterval = (pingInterval != null) ? pingInterval : Duration.ofSeconds(30);
		pingTimeout = (pingTimeout != null) ? pingTimeout : Duration.ofSeconds(10);
		maxSessions = (maxSessions != null) ? maxSessions : 0;
		dnsRefresh = (dnsRefresh != null) ? dnsRefresh : Duration.ZERO;
	}

	/** The shortest {@code dnsRefresh}: a shorter period is a DNS query storm, not discovery. */
	public static final Duration MIN_DNS_REFRESH = Duration.ofSeconds(1);

	/** Consecutive failed dials that take a server out: passiveHealthCheck.fails, else healthCheck.fails, else 1. */
	public int passiveFails() {
		if (passiveHealthCheck.fails() != null) {
			return passiveHealthCheck.fails();
		}
		return (healthCheck != null) ? healthCheck.fails() : 1;
	}

	/** The servers the pool uses: those carrying one of {@code serverTags}, or all when it has none. */
	public List<ServerSpec> selectedServers() {
		if (serverTags.isEmpty()) {
			return servers;
		}
		return servers.stream().filter(server -> server.tags().stream().anyMatch(serverTags::contains)).toList();
	}

	/** Whether {@code dnsRefresh} is on: servers with a DNS name are one server per address. */
	public boolean resolvesNames() {
		return !dnsRefresh.isZero() && !dnsRefresh.isNegative();
	}

	/** The main pool is the one without a {@code filter}. */
	public boolean isMain() {
		return filter == null;
	}

	/**
	 * A backend server.
	 *
	 * @param url {@code ws://} or {@code wss://} (http/https accepted as aliases) plus host[:port]
	 * @param keepHost send the client's Host instead of the server's host:port
	 * @param weight 0..100, for weightedRandom; all servers weighted or none
	 * @param tags labels that a pool's {@code serverTags} select by
	 */
	public record ServerSpec(String url, Boolean keepHost, Integer weight, List<String> tags) {

		public ServerSpec {
			url = Specs.text(url);
			keepHost = Boolean.TRUE.equals(keepHost);
			weight = (weight != null) ? weight : 0;
			tags = Specs.list(tags);
		}
	}

	/**
	 * Load-balancing options.
	 *
	 * @param policy roundRobin (default), random, weightedRandom, ipHash, headerHash or cookieHash
	 * @param headerHashKey header hashed by headerHash
	 * @param stickySession optional stickiness, tried before the policy
	 */
	public record LoadBalanceSpec(String policy, String headerHashKey, StickySessionSpec stickySession) {

		public LoadBalanceSpec {
			policy = (policy != null && !policy.isBlank()) ? policy : Policy.ROUND_ROBIN.spelling();
			headerHashKey = Specs.text(headerHashKey);
		}

		/** The policy {@code policy} names, or null when it names none (a problem of the validator). */
		public Policy parsedPolicy() {
			return Spelled.parse(Policy.class, policy);
		}
	}

	/** The values of {@code loadBalance.policy}. */
	public enum Policy implements Spelled {

		ROUND_ROBIN("roundRobin"), RANDOM("random"), WEIGHTED_RANDOM("weightedRandom"), IP_HASH("ipHash"),
		HEADER_HASH("headerHash"), COOKIE_HASH("cookieHash"), LEAST_SESSIONS("leastSessions");

		private final String spelling;

		Policy(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}

	/**
	 * Session stickiness.
	 *
	 * @param mode CookieConsistentHash, DurationBased or ApplicationBased
	 * @param appCookieName the application's cookie (hash key, or trigger for ApplicationBased)
	 * @param lbCookieName the cookie the gateway issues (default EG_SESSION)
	 * @param lbCookieExpire lifetime of that cookie (default 2h)
	 */
	public record StickySessionSpec(String mode, String appCookieName, String lbCookieName, Duration lbCookieExpire) {

		public StickySessionSpec {
			mode = Specs.text(mode);
			appCookieName = Specs.text(appCookieName);
			lbCookieName = (lbCookieName != null && !lbCookieName.isBlank()) ? lbCookieName : "EG_SESSION";
			lbCookieExpire = (lbCookieExpire != null && !lbCookieExpire.isNegative() && !lbCookieExpire.isZero()) ? lbCookieExpire
					: Duration.ofHours(2);
		}

		/** The mode {@code mode} names, or null when it names none (a problem of the validator). */
		public StickyMode parsedMode() {
			return Spelled.parse(StickyMode.class, mode);
		}
	}

	/** The values of {@code loadBalance.stickySession.mode}. */
	public enum StickyMode implements Spelled {

		COOKIE_CONSISTENT_HASH("CookieConsistentHash"), DURATION_BASED("DurationBased"),
		APPLICATION_BASED("ApplicationBased");

		private final String spelling;

		StickyMode(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}

		/** Whether the mode hashes or watches the application's cookie, so needs {@code appCookieName}. */
		public boolean needsAppCookie() {
			return this == COOKIE_CONSISTENT_HASH || this == APPLICATION_BASED;
		}
	}

	/**
	 * Candidate-pool matcher.
	 *
	 * @param headers header name to matcher; OR across headers unless {@code matchAllHeaders}
	 * @param matchAllHeaders require every header rule to match
	 * @param urls when set, one of these must match too
	 */
	public record RequestMatcherSpec(Map<String, StringMatcherSpec> headers, Boolean matchAllHeaders,
			List<UrlMatcherSpec> urls) {

		public RequestMatcherSpec {
			headers = Specs.map(headers);
			matchAllHeaders = Boolean.TRUE.equals(matchAllHeaders);
			urls = Specs.list(urls);
		}
	}

	/**
	 * A method and path condition of a candidate pool.
	 *
	 * @param methods allowed methods; empty = any
	 * @param url matcher on the request path
	 */
	public record UrlMatcherSpec(List<String> methods, StringMatcherSpec url) {

		public UrlMatcherSpec {
			methods = Specs.list(methods);
		}
	}

	/**
	 * A string condition; the set fields are ORed.
	 *
	 * @param exact equal to
	 * @param prefix starts with
	 * @param regex regular expression, searched (find semantics)
	 * @param empty matches the empty string (an absent header)
	 */
	public record StringMatcherSpec(String exact, String prefix, String regex, Boolean empty) {

		public StringMatcherSpec {
			exact = Specs.text(exact);
			prefix = Specs.text(prefix);
			regex = Specs.text(regex);
			empty = Boolean.TRUE.equals(empty);
		}
	}
}
