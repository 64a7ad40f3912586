package io.wsgate.filter.ratelimit;

import java.time.Duration;
import java.util.List;

import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.config.Spelled;

/**
 * The options of a {@code RateLimiter} filter: the keys beside its {@code kind} and {@code name}.
 *
 * @param policies the handshake limits, by name
 * @param defaultPolicyRef the policy of a url without its own {@code policyRef}
 * @param urls which handshakes count against which policy (the first match; none: not limited)
 * @param key what a counter is kept for: {@code clientIp} (the default), {@code global},
 * {@code header:<Name>} or {@code claim:<name>}
 * @param messages the rate of the client's messages per session; null when not limited
 * @param store {@code local} (the default) or {@code redis}
 * @param redisFailure {@code allow} (the default) or {@code deny}: a handshake's fate while Redis is unreachable
 */
public record RateLimiterSpec(List<PolicySpec> policies, String defaultPolicyRef, List<UrlSpec> urls, String key,
		MessagesSpec messages, String store, String redisFailure) {

	public RateLimiterSpec {
		policies = (policies != null) ? List.copyOf(policies) : List.of();
		defaultPolicyRef = (defaultPolicyRef != null) ? defaultPolicyRef : "";
		urls = (urls != null) ? List.copyOf(urls) : List.of();
		key = (key != null && !key.isEmpty()) ? key : "clientIp";
		store = (store != null && !store.isEmpty()) ? store : "local";
		redisFailure = (redisFailure != null && !redisFailure.isEmpty()) ? redisFailure : "allow";
	}

	/** The store {@code store} names, or null when it names none (a problem of the validator). */
	public Store parsedStore() {
		return Spelled.parseExact(Store.class, store);
	}

	/** The setting {@code redisFailure} names, or null when it names none (a problem of the validator). */
	public RedisFailure parsedRedisFailure() {
		return Spelled.parseExact(RedisFailure.class, redisFailure);
	}

	/** The values of {@code store} (case-sensitive). */
	public enum Store implements Spelled {

		LOCAL("local"), REDIS("redis");

		private final String spelling;

		Store(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}

	/** The values of {@code redisFailure} (case-sensitive). */
	public enum RedisFailure implements Spelled {

		ALLOW("allow"), DENY("deny");

		private final String spelling;

		RedisFailure(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}

	/**
	 * A handshake limit, with resilience4j's meaning as Easegress uses it: every
	 * {@code limitRefreshPeriod} grants {@code limitForPeriod} permits, and a handshake may wait up to
	 * {@code timeoutDuration} for one. Defaults are Easegress's: 50 per 10ms, waiting up to 100ms.
	 */
	public record PolicySpec(String name, Integer limitForPeriod, Duration limitRefreshPeriod, Duration timeoutDuration) {

		public PolicySpec {
			name = (name != null) ? name : "";
			limitForPeriod = (limitForPeriod != null) ? limitForPeriod : 50;
			limitRefreshPeriod = (limitRefreshPeriod != null) ? limitRefreshPeriod : Duration.ofMillis(10);
			timeoutDuration = (timeoutDuration != null) ? timeoutDuration : Duration.ofMillis(100);
		}
	}

	/**
	 * Handshakes that count against a policy, as Easegress's url rules: any of {@code methods} (all
	 * when empty) and a path that {@code url} matches.
	 */
	public record UrlSpec(List<String> methods, StringMatcherSpec url, String policyRef) {

		public UrlSpec {
			methods = (methods != null) ? List.copyOf(methods) : List.of();
			url = (url != null) ? url : new StringMatcherSpec(null, null, null, null);
			policyRef = (policyRef != null) ? policyRef : "";
		}
	}

	/**
	 * The client's messages per session: a token bucket of {@code burst} messages refilled at
	 * {@code perSecond}; {@code action} {@code pause} (the default) stops reading until a token is
	 * due, {@code close} ends the session with 1008.
	 */
	public record MessagesSpec(Double perSecond, Integer burst, String action) {

		public MessagesSpec {
			perSecond = (perSecond != null) ? perSecond : 0.0;
			burst = (burst != null) ? burst : (int) Math.max(1, Math.ceil(perSecond));
			action = (action != null && !action.isEmpty()) ? action : "pause";
		}

		/** The action {@code action} names, or null when it names none (a problem of the validator). */
		public MessageAction parsedAction() {
			return Spelled.parseExact(MessageAction.class, action);
		}
	}

	/** The values of {@code messages.action} (case-sensitive). */
	public enum MessageAction implements Spelled {

		PAUSE("pause"), CLOSE("close");

		private final String spelling;

		MessageAction(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}

}
