package io.wsgate.routing;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.wsgate.config.HttpServerSpec.HeaderRuleSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.request.RequestInfo;
import org.jspecify.annotations.Nullable;

/** A compiled path rule: its path condition, then its method and header conditions, and its pipeline. */
final class PathRule {

	private final String exact;

	private final String prefix;

	private final @Nullable Pattern regexp;

	private final Set<String> methods;

	private final List<HeaderCondition> headers;

	private final Route route;

	private final List<IpFilter> ipFilters;

	/**
	 * @param spec the path rule
	 * @param ipFilters the ipFilter chain of its server, rule and path
	 */
	PathRule(PathSpec spec, List<IpFilter> ipFilters) {
		this.ipFilters = ipFilters;
		this.exact = spec.path();
		this.prefix = spec.pathPrefix();
		this.regexp = spec.pathRegexp().isEmpty() ? null : Pattern.compile(spec.pathRegexp());
		this.methods = spec.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
		this.headers = spec.headers().stream().map(HeaderCondition::new).toList();
		this.route = Route.to(spec.backend(), describe(spec));
	}

	/** Where a request that fully matches this rule goes; made once, as every request here gets the same. */
	Route route() {
		return route;
	}

	private static String describe(PathSpec spec) {
		if (!spec.path().isEmpty()) {
			return spec.path();
		}
		if (!spec.pathPrefix().isEmpty()) {
			return spec.pathPrefix() + "**";
		}
		return spec.pathRegexp().isEmpty() ? "**" : "~" + spec.pathRegexp();
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

	/** Whether every ipFilter on the way (server, rule, path) allows the client's address. */
	boolean allowsClient(String clientIp) {
		return IpFilter.allowAll(ipFilters, clientIp);
	}

	boolean allowsMethod(String method) {
		return methods.isEmpty() || methods.contains(method);
	}

	boolean matchesHeaders(RequestInfo request) {
		return headers.stream().allMatch(h -> h.matches(request));
	}

	private record HeaderCondition(String key, Set<String> values, @Nullable Pattern regexp) {

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
