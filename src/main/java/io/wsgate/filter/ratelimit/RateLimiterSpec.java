package io.wsgate.filter.ratelimit;

import java.time.Duration;
import java.util.List;

import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.config.Spelled;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The options of a {@code RateLimiter} filter: the keys beside its {@code kind} and {@code name}.
 *
 * @param policies the handshake limits, by name
 * @param defaultPolicyRef the policy of a url without its own {@code policyRef}
 * @param urls which handshakes count against which policy (the first match; none: not limited)
 * @param key what a counter is kept for: {@code clientIp} (the default), {@code global},
 * {@code header:<Name>} or {@code claim:<name>}
 * @param messages the rate of the client's messages per session (null: not limited)
 * @param store {@code local} (the default) or {@code redis}
 * @param redisFailure {@code allow} (the default) or {@code deny}: a handshake's fate while Redis is unreachable
 */
public record RateLimiterSpec(List<PolicySpec> policies, String defaultPolicyRef, List<UrlSpec> urls,
		@DefaultValue(RateLimiterSpec.DEFAULT_KEY) String key, @Nullable MessagesSpec messages,
		@DefaultValue(RateLimiterSpec.DEFAULT_STORE) String store,
		@DefaultValue(RateLimiterSpec.DEFAULT_REDIS_FAILURE) String redisFailure) {

	/** The key when none is given, or an empty one; likewise the store and redisFailure below. */
	static final String DEFAULT_KEY = "clientIp";

	static final String DEFAULT_STORE = "local";

	static final String DEFAULT_REDIS_FAILURE = "allow";

	public RateLimiterSpec {
		policies = (policies != null) ? List.copyOf(policies) : List.of();
		defaultPolicyRef = (defaultPolicyRef != null) ? defaultPolicyRef : "";
		urls = (urls != null) ? List.copyOf(urls) : List.of();
		key = key.isEmpty() ? DEFAULT_KEY : key;
		store = store.isEmpty() ? DEFAULT_STORE : store;
		redisFailure = redisFailure.isEmpty() ? DEFAULT_REDIS_FAILURE : redisFailure;
	}

	/** The store {@code store} names (null: it names none, a problem of the validator). */
	public @Nullable Store parsedStore() {
		return Spelled.parseExact(Store.class, store);
	}

	/** The setting {@code redisFailure} names (null: it names none, a problem of the validator). */
	public @Nullable RedisFailure parsedRedisFailure() {
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
	public record PolicySpec(String name, @DefaultValue("50") int limitForPeriod,
			@DefaultValue("10ms") Duration limitRefreshPeriod, @DefaultValue("100ms") Duration timeoutDuration) {

		public PolicySpec {
			name = (name != null) ? name : "";
		}
	}

	/**
	 * Handshakes that count against a policy, as Easegress's url rules: any of {@code methods} (all
	 * when empty) and a path that {@code url} matches.
	 */
	public record UrlSpec(List<String> methods, @DefaultValue StringMatcherSpec url, String policyRef) {

		public UrlSpec {
			methods = (methods != null) ? List.copyOf(methods) : List.of();
			policyRef = (policyRef != null) ? policyRef : "";
		}
	}

	/**
	 * The client's messages per session: a token bucket of {@code burst} messages refilled at
	 * {@code perSecond}; {@code action} {@code pause} (the default) stops reading until a token is
	 * due, {@code close} ends the session with 1008. Without {@code burst}, it is {@code perSecond}
	 * rounded up (at least 1).
	 */
	public record MessagesSpec(@DefaultValue("0") double perSecond, Integer burst,
			@DefaultValue(MessagesSpec.DEFAULT_ACTION) String action) {

		/** The action when none is given, or an empty one. */
		static final String DEFAULT_ACTION = "pause";

		public MessagesSpec {
			// Absent (null from the binder): derived from perSecond, so no binding default can say it.
			burst = (burst != null) ? burst : (int) Math.max(1, Math.ceil(perSecond));
			action = action.isEmpty() ? DEFAULT_ACTION : action;
		}

		/** The action {@code action} names (null: it names none, a problem of the validator). */
		public @Nullable MessageAction parsedAction() {
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
