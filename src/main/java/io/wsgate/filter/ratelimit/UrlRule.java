package io.wsgate.filter.ratelimit;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.UrlSpec;
import org.jspecify.annotations.Nullable;

/**
 * One of a RateLimiter's {@code urls}, compiled: the handshakes it matches count against its policy.
 *
 * @param methods upper-case methods matched, all when empty
 * @param exact the path, when matched exactly
 * @param prefix the path's start, when matched by prefix
 * @param regex searched in the path, when matched by regular expression
 * @param policy the name of its policy (its own {@code policyRef}, else the filter's default)
 * @param permits its policy's arithmetic
 */
record UrlRule(Set<String> methods, String exact, String prefix, @Nullable Pattern regex, String policy,
		Permits permits) {

	static UrlRule of(UrlSpec spec, String policy, Permits permits) {
		StringMatcherSpec url = spec.url();
		Set<String> methods = spec.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
		return new UrlRule(Set.copyOf(methods), url.exact(), url.prefix(),
				url.regex().isEmpty() ? null : Pattern.compile(url.regex()), policy, permits);
	}

	boolean matches(String method, String path) {
		if (!methods.isEmpty() && !methods.contains(method)) {
			return false;
		}
		if (!exact.isEmpty()) {
			return exact.equals(path);
		}
		if (!prefix.isEmpty()) {
			return path.startsWith(prefix);
		}
		return regex != null && regex.matcher(path).find();
	}
}
