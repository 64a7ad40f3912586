package io.wsgate.pool;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import io.wsgate.config.PoolSpec.RequestMatcherSpec;
import io.wsgate.request.RequestInfo;

/**
 * Decides whether a request belongs to a candidate pool (Easegress "general" matcher): header
 * rules ORed, or ANDed with {@code matchAllHeaders}, an absent header tested as ""; when
 * {@code urls} are given one of them must match as well.
 */
public final class RequestMatcher {

	private final Map<String, StringMatcher> headers;

	private final boolean matchAllHeaders;

	private final List<UrlRule> urls;

	public RequestMatcher(RequestMatcherSpec spec) {
		this.headers = spec.headers().entrySet().stream()
			.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> StringMatcher.of(e.getValue())));
		this.matchAllHeaders = spec.matchAllHeaders();
		this.urls = spec.urls().stream()
			.map(u -> new UrlRule(u.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet()),
					StringMatcher.of(Objects.requireNonNull(u.url(), "validated: a url rule has its url"))))
			.toList();
	}

	public boolean matches(RequestInfo request) {
		return headersMatch(request) && (urls.isEmpty() || urls.stream().anyMatch(u -> u.matches(request)));
	}

	private boolean headersMatch(RequestInfo request) {
		if (headers.isEmpty()) {
			return true;
		}
		for (Map.Entry<String, StringMatcher> rule : headers.entrySet()) {
			List<String> values = request.headers().getOrEmpty(rule.getKey());
			boolean hit = values.isEmpty() ? rule.getValue().matches("")
					: values.stream().anyMatch(rule.getValue()::matches);
			if (hit && !matchAllHeaders) {
				return true;
			}
			if (!hit && matchAllHeaders) {
				return false;
			}
		}
		return matchAllHeaders;
	}

	private record UrlRule(Set<String> methods, StringMatcher path) {

		boolean matches(RequestInfo request) {
			return (methods.isEmpty() || methods.contains(request.method())) && path.matches(request.path());
		}
	}
}
