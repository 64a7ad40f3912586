package io.wsgate.filter.ratelimit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.config.ConfigProblems;
import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.MessageAction;
import io.wsgate.filter.ratelimit.RateLimiterSpec.MessagesSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.PolicySpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.RedisFailure;
import io.wsgate.filter.ratelimit.RateLimiterSpec.Store;
import io.wsgate.filter.ratelimit.RateLimiterSpec.UrlSpec;
import io.wsgate.metrics.WsgateMeters;
import io.wsgate.metrics.WsgateMeters.TagKey;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.SessionGuards.MessageRate;
import io.wsgate.pipeline.SessionGuards.MessageRate.Action;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** The {@code RateLimiter} filter kind: validation of its options and creation of its filters. */
public final class RateLimiterKind implements FilterKind<RateLimiterSpec> {

	public static final String NAME = "RateLimiter";

	/** The start of every Redis key the RateLimiters write. */
	static final String REDIS_KEY_PREFIX = "wsgate:ratelimit:";

	private final Supplier<ReactiveStringRedisTemplate> redis;

	private final MeterRegistry meters;

	private final RedisOutage outage = new RedisOutage();

	/**
	 * @param redis the reactive Redis client Spring Boot configured from {@code spring.data.redis.*},
	 * null when there is none; asked for only by a filter with {@code store: redis}
	 */
	public RateLimiterKind(Supplier<ReactiveStringRedisTemplate> redis, MeterRegistry meters) {
		this.redis = redis;
		this.meters = meters;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Set<String> results() {
		return Set.of(RateLimiter.RATE_LIMITED);
	}

	@Override
	public Class<RateLimiterSpec> specType() {
		return RateLimiterSpec.class;
	}

	@Override
	public void validate(RateLimiterSpec spec, String path, ConfigProblems problems) {
		Set<String> names = new HashSet<>();
		for (int p = 0; p < spec.policies().size(); p++) {
			validatePolicy(spec.policies().get(p), path + ".policies[" + p + "]", names, problems);
		}
		if (!spec.defaultPolicyRef().isEmpty() && !names.contains(spec.defaultPolicyRef())) {
			problems.add(path + ".defaultPolicyRef", "policy '" + spec.defaultPolicyRef() + "' is not defined");
		}
		for (int u = 0; u < spec.urls().size(); u++) {
			validateUrl(spec.urls().get(u), spec.defaultPolicyRef(), path + ".urls[" + u + "]", names, problems);
		}
		if (spec.urls().isEmpty() && spec.messages() == null) {
			problems.add(path, "limits nothing: set urls (handshakes) or messages");
		}
		if (LimitKey.parse(spec.key()) == null) {
			problems.add(path + ".key", "'" + spec.key() + "' (expected: clientIp, global, header:<Name> or claim:<name>)");
		}
		if (spec.messages() != null) {
			validateMessages(spec.messages(), path + ".messages", problems);
		}
		if (spec.parsedStore() == null) {
			problems.add(path + ".store", "'" + spec.store() + "' (expected: local or redis)");
		}
		else if (spec.parsedStore() == Store.REDIS && redis.get() == null) {
			problems.add(path + ".store", "redis needs Spring Boot's Redis client (spring.data.redis.*), which is not configured");
		}
		if (spec.parsedRedisFailure() == null) {
			problems.add(path + ".redisFailure", "'" + spec.redisFailure() + "' (expected: allow or deny)");
		}
	}

	private static void validatePolicy(PolicySpec policy, String path, Set<String> names, ConfigProblems problems) {
		if (policy.name().isEmpty()) {
			problems.add(path + ".name", "is required");
		}
		else if (!names.add(policy.name())) {
			problems.add(path + ".name", "'" + policy.name() + "' names another policy too");
		}
		if (policy.limitForPeriod() < 1) {
			problems.add(path + ".limitForPeriod", policy.limitForPeriod() + " (expected: 1 or more)");
		}
		if (policy.limitRefreshPeriod().toNanos() < 1000) {
			problems.add(path + ".limitRefreshPeriod", policy.limitRefreshPeriod() + " (expected: 1us or more)");
		}
		if (policy.timeoutDuration().isNegative()) {
			problems.add(path + ".timeoutDuration", "must not be negative (0s: refuse at once)");
		}
	}

	private static void validateUrl(UrlSpec url, String defaultPolicy, String path, Set<String> names,
			ConfigProblems problems) {
		String policy = url.policyRef().isEmpty() ? defaultPolicy : url.policyRef();
		if (policy.isEmpty()) {
			problems.add(path + ".policyRef", "is required when there is no defaultPolicyRef");
		}
		else if (!url.policyRef().isEmpty() && !names.contains(policy)) {
			problems.add(path + ".policyRef", "policy '" + policy + "' is not defined");
		}
		StringMatcherSpec matcher = url.url();
		int set = (matcher.exact().isEmpty() ? 0 : 1) + (matcher.prefix().isEmpty() ? 0 : 1)
				+ (matcher.regex().isEmpty() ? 0 : 1);
		if (set != 1) {
			problems.add(path + ".url", "set exactly one of exact, prefix or regex");
		}
		if (!matcher.regex().isEmpty()) {
			try {
				Pattern.compile(matcher.regex());
			}
			catch (PatternSyntaxException ex) {
				problems.add(path + ".url.regex", "invalid pattern: " + ex.getDescription());
			}
		}
	}

	private static void validateMessages(MessagesSpec messages, String path, ConfigProblems problems) {
		if (!(messages.perSecond() > 0) || Double.isInfinite(messages.perSecond())) {
			problems.add(path + ".perSecond", messages.perSecond() + " (expected: more than 0)");
		}
		if (messages.burst() < 1) {
			problems.add(path + ".burst", messages.burst() + " (expected: 1 or more)");
		}
		if (messages.parsedAction() == null) {
			problems.add(path + ".action", "'" + messages.action() + "' (expected: pause or close)");
		}
	}

	@Override
	public Filter create(RateLimiterSpec spec, String filterName, String pipelineName) {
		Map<String, Permits> policies = new HashMap<>();
		for (PolicySpec policy : spec.policies()) {
			policies.put(policy.name(), new Permits(policy.limitForPeriod(), policy.limitRefreshPeriod().toNanos(),
					policy.timeoutDuration().toNanos()));
		}
		boolean redisStore = spec.parsedStore() == Store.REDIS;
		long origin = System.nanoTime();
		List<UrlRule> rules = new ArrayList<>();
		List<LocalPermitStore> localStores = new ArrayList<>();
		for (UrlSpec url : spec.urls()) {
			String policy = url.policyRef().isEmpty() ? spec.defaultPolicyRef() : url.policyRef();
			// The validation made sure the policy exists.
			UrlRule rule = UrlRule.of(url, policy, Objects.requireNonNull(policies.get(policy)));
			rules.add(rule);
			if (!redisStore) {
				localStores.add(new LocalPermitStore(rule.permits(), LocalPermitStore.MAX_KEYS, origin));
			}
		}
		@Nullable RedisPermitStore store = null;
		if (redisStore) {
			Counter errors = Counter.builder(WsgateMeters.RATELIMIT_STORE_ERRORS.meterName())
				.description(WsgateMeters.RATELIMIT_STORE_ERRORS.description())
				.tags(TagKey.PIPELINE.asString(), pipelineName, TagKey.FILTER.asString(), filterName)
				.register(meters);
			store = new RedisPermitStore(redis.get(), REDIS_KEY_PREFIX + pipelineName + ":" + filterName + ":",
					spec.parsedRedisFailure() == RedisFailure.ALLOW, outage, errors);
			store.warmUp();
		}
		return new RateLimiter(List.copyOf(rules), redisStore ? null : List.copyOf(localStores), store,
				Objects.requireNonNull(LimitKey.parse(spec.key()), "key validated"), messageRate(spec.messages(), filterName));
	}

	private static @Nullable MessageRate messageRate(@Nullable MessagesSpec messages, String filterName) {
		if (messages == null) {
			return null;
		}
		return new MessageRate(messages.perSecond(), messages.burst(),
				messages.parsedAction() == MessageAction.CLOSE ? Action.CLOSE : Action.PAUSE, filterName);
	}
}
