package io.wsgate.routing;

import java.util.Locale;

/** Matches the request host (port stripped): empty = any, exact, or one leading or trailing '*'. */
record HostMatcher(String pattern) {

	HostMatcher {
		pattern = pattern.toLowerCase(Locale.ROOT);
	}

	boolean matches(String host) {
		if (pattern.isEmpty()) {
			return true;
		}
		if (pattern.startsWith("*")) {
			return host.endsWith(pattern.substring(1));
		}
		if (pattern.endsWith("*")) {
			return host.startsWith(pattern.substring(0, pattern.length() - 1));
		}
		return pattern.equals(host);
	}
}
