package io.wsgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;

/**
 * A pool of backend servers of a WebSocketProxy.
 *
 * @param servers the backends
 * @param serverTags when set, the pool uses only the servers that carry one of these tags (Easegress)
 * @param loadBalance how a server is picked (default round robin)
 * @param clientMaxMsgSize max bytes of one message from the client (default 32769, -1 = unlimited)
 * @param serverMaxMsgSize max bytes of one message from the backend (default 32769, -1 = unlimited)
 * @param filter makes this a candidate pool, chosen when the request matches (null: the main pool)
 * @param originPatterns extra allowed browser Origins (globs on host[:port])
 * @param insecureSkipVerify skip the Origin check (the Easegress meaning; nothing to do with TLS)
 * @param connectTimeout time allowed to connect to a backend and finish its handshake (default 10s)
 * @param healthCheck active health check of the servers (null: none, the default)
 * @param passiveHealthCheck taking failing servers out on real traffic (on by default)
 * @param idleTimeout close a session after this long without a message either way (default 0 = never)
 * @param pingInterval ping a side that has sent nothing for this long (default 30s, 0 = never)
 * @param pingTimeout a pinged side that stays silent this much longer is closed as dead (default 10s)
 * @param maxSessions most concurrent sessions of the pool (default 0 = unlimited)
 * @param serverTls TLS toward wss:// servers (null: the JVM's trust store, the default)
 * @param dnsRefresh a server whose host is a DNS name becomes one server per address it resolves to,
 * re-resolved this often (default 0 = off: the name is resolved at each dial)
 */
public record PoolSpec(List<ServerSpec> servers, List<String> serverTags, @DefaultValue LoadBalanceSpec loadBalance,
		@DefaultValue("32769") long clientMaxMsgSize, @DefaultValue("32769") long serverMaxMsgSize,
		@Nullable RequestMatcherSpec filter, List<String> originPatterns, @DefaultValue("false") boolean insecureSkipVerify,
		@DefaultValue("10s") Duration connectTimeout, @Nullable HealthCheckSpec healthCheck,
		@DefaultValue PassiveHealthCheckSpec passiveHealthCheck, @DefaultValue("0s") Duration idleTimeout,
		@DefaultValue("30s") Duration pingInterval, @DefaultValue("10s") Duration pingTimeout,
		@DefaultValue("0") int maxSessions, @Nullable ServerTlsSpec serverTls, @DefaultValue("0s") Duration dnsRefresh) {

	public PoolSpec {
		servers = Specs.list(servers);
		serverTags = Specs.list(serverTags);
		originPatterns = Specs.list(originPatterns);
	}

	/** The shortest {@code dnsRefresh}: a shorter period is a DNS query storm, not discovery. */
	public static final Duration MIN_DNS_REFRESH = Duration.ofSeconds(1);

	/** Consecutive failed dials that take a server out: passiveHealthCheck.fails, else healthCheck.fails, else 1. */
	public int passiveFails() {
		Integer fails = passiveHealthCheck.fails();
		if (fails != null) {
			return fails;
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
	public record ServerSpec(String url, @DefaultValue("false") boolean keepHost, @DefaultValue("0") int weight,
			List<String> tags) {

		public ServerSpec {
			url = Specs.text(url);
			tags = Specs.list(tags);
		}

		/**
		 * The ws/wss URI of a configured server URL; http and https are aliases. The port defaults to
		 * the scheme's. Throws {@link IllegalArgumentException} with a short reason for a bad URL.
		 */
		public static URI webSocketUri(String url) {
			URI parsed;
			try {
				parsed = new URI(url.trim());
			}
			catch (Exception ex) {
				throw new IllegalArgumentException("not a valid URL");
			}
			String scheme = (parsed.getScheme() != null) ? parsed.getScheme().toLowerCase(Locale.ROOT) : "";
			String wsScheme = switch (scheme) {
				case "ws", "http" -> "ws";
				case "wss", "https" -> "wss";
				default -> throw new IllegalArgumentException("scheme '" + scheme + "' (expected: ws, wss, http or https)");
			};
			if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
				throw new IllegalArgumentException("no host");
			}
			int port = (parsed.getPort() > 0) ? parsed.getPort() : ("ws".equals(wsScheme) ? 80 : 443);
			return URI.create(wsScheme + "://" + parsed.getHost() + ":" + port);
		}
	}

	/**
	 * Load-balancing options.
	 *
	 * @param policy roundRobin (default), random, weightedRandom, ipHash, headerHash or cookieHash
	 * @param headerHashKey header hashed by headerHash
	 * @param stickySession stickiness, tried before the policy (null: none)
	 */
	public record LoadBalanceSpec(@DefaultValue(LoadBalanceSpec.DEFAULT_POLICY) String policy, String headerHashKey,
			@Nullable StickySessionSpec stickySession) {

		/** The policy when none is given, or a blank one. */
		static final String DEFAULT_POLICY = "roundRobin";

		public LoadBalanceSpec {
			policy = policy.isBlank() ? DEFAULT_POLICY : policy;
			headerHashKey = Specs.text(headerHashKey);
		}

		/** The policy {@code policy} names (null: it names none, a problem of the validator). */
		public @Nullable Policy parsedPolicy() {
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
	 * @param lbCookieExpire lifetime of that cookie (default 2h, also when not positive)
	 */
	public record StickySessionSpec(String mode, String appCookieName,
			@DefaultValue(StickySessionSpec.DEFAULT_LB_COOKIE_NAME) String lbCookieName,
			@DefaultValue(StickySessionSpec.DEFAULT_LB_COOKIE_EXPIRE) Duration lbCookieExpire) {

		/** The cookie name when none is given, or a blank one. */
		static final String DEFAULT_LB_COOKIE_NAME = "EG_SESSION";

		/** The cookie lifetime when none is given, or one that is not positive. */
		static final String DEFAULT_LB_COOKIE_EXPIRE = "2h";

		public StickySessionSpec {
			mode = Specs.text(mode);
			appCookieName = Specs.text(appCookieName);
			lbCookieName = lbCookieName.isBlank() ? DEFAULT_LB_COOKIE_NAME : lbCookieName;
			lbCookieExpire = (lbCookieExpire.isNegative() || lbCookieExpire.isZero())
					? DurationStyle.detectAndParse(DEFAULT_LB_COOKIE_EXPIRE) : lbCookieExpire;
		}

		/** The mode {@code mode} names (null: it names none, a problem of the validator). */
		public @Nullable StickyMode parsedMode() {
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
	public record RequestMatcherSpec(Map<String, StringMatcherSpec> headers, @DefaultValue("false") boolean matchAllHeaders,
			List<UrlMatcherSpec> urls) {

		public RequestMatcherSpec {
			headers = Specs.map(headers);
			urls = Specs.list(urls);
		}
	}

	/**
	 * A method and path condition of a candidate pool.
	 *
	 * @param methods allowed methods; empty = any
	 * @param url matcher on the request path (required: null is a problem of the validator)
	 */
	public record UrlMatcherSpec(List<String> methods, @Nullable StringMatcherSpec url) {

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
	public record StringMatcherSpec(String exact, String prefix, String regex, @DefaultValue("false") boolean empty) {

		public StringMatcherSpec {
			exact = Specs.text(exact);
			prefix = Specs.text(prefix);
			regex = Specs.text(regex);
		}
	}
}
