package io.wsgate.routing;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.wsgate.config.HttpServerSpec.HeaderRuleSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.request.RequestInfo;

/** A compiled path rule: its path condition, then its method and header conditions, and its pipeline. */
final class PathRule {

	private final String exact;

	private final String prefix;

	private final Pattern regexp;

	private final Set<String> methods;

	private final List<HeaderCondition> headers;

	private final String pipeline;

	PathRule(PathSpec spec) {
		this.exact = spec.path();
		this.prefix = spec.pathPrefix();
		this.regexp = spec.pathRegexp().isEmpty() ? null : Pattern.compile(spec.pathRegexp());
		this.methods = spec.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
		this.headers = spec.headers().stream().map(HeaderCondition::new).toList();
		this.pipeline = spec.backend();
	}

	String pipeline() {
		return pipeline;
	}

	boolean matchesPath(String path) {
		if (!exact.isEmpty()) {
			return exact.equals(path);
		}
		if (!prefix.isEmpty()) {
			return path.startsWith(prefix);
		}
		return regexp == null || regexp.matcher(path).find();
	}

	boolean allowsMethod(String method) {
		return methods.isEmpty() || methods.contains(method);
	}

	boolean matchesHeaders(RequestInfo request) {
		return headers.stream().allMatch(h -> h.matches(request));
	}

	private record HeaderCondition(String key, Set<String> values, Pattern regexp) {

		HeaderCondition(HeaderRuleSpec spec) {
			this(spec.key(), Set.copyOf(spec.values()),
					spec.regexp().isEmpty() ? null : Pattern.compile(spec.regexp()));
		}

		boolean matches(RequestInfo request) {
			String value = request.header(key);
			return values.contains(value) || (regexp != null && regexp.matcher(value).find());
		}
	}
}
