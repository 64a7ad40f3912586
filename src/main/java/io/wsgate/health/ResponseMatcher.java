package io.wsgate.health;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.wsgate.config.HealthCheckSpec.BodyMatchSpec;
import io.wsgate.config.HealthCheckSpec.HeaderMatchSpec;
import io.wsgate.config.HealthCheckSpec.MatchSpec;
import io.wsgate.config.HealthCheckSpec.MatchType;
import org.jspecify.annotations.Nullable;

/**
 * A compiled {@link MatchSpec}: status in one of the ranges, every header rule on the header's first
 * value (exact, or a regexp search), and the body rule (contains, or a regexp search).
 */
final class ResponseMatcher {

	private final List<int[]> ranges;

	private final List<HeaderRule> headers;

	private final @Nullable Pattern bodyRegexp;

	private final @Nullable String bodyContains;

	/**
	 * @param spec the configured conditions
	 * @param defaultRange the range used when none is configured: [101,101] for ws, [200,399] for http
	 */
	ResponseMatcher(MatchSpec spec, int[] defaultRange) {
		this.ranges = spec.statusCodes().isEmpty() ? List.of(defaultRange)
				: spec.statusCodes().stream().map(r -> new int[] { r.get(0), r.get(1) }).toList();
		this.headers = spec.headers().stream().map(HeaderRule::new).toList();
		BodyMatchSpec body = spec.body();
		boolean regexp = body != null && body.parsedType() == MatchType.REGEXP;
		this.bodyRegexp = (body != null && regexp) ? Pattern.compile(body.value()) : null;
		this.bodyContains = (body != null && !regexp && !body.value().isEmpty()) ? body.value() : null;
	}

	/**
	 * Null when the response matches, else what did not.
	 * @param header gives a response header's first value, null when absent: a lookup rather than a
	 * headers type, as the WebSocket probe gets Spring's headers and the others Netty's
	 */
	@Nullable String mismatch(int status, Function<String, @Nullable String> header, String body) {
		if (ranges.stream().noneMatch(r -> status >= r[0] && status <= r[1])) {
			return "status " + status + " not in " + describeRanges();
		}
		for (HeaderRule rule : headers) {
			String value = header.apply(rule.name);
			if (!rule.matches(value)) {
				return "header " + rule.name + (value == null ? " missing" : " '" + value + "' does not match");
			}
		}
		if (bodyContains != null && !body.contains(bodyContains)) {
			return "body does not contain '" + bodyContains + "'";
		}
		if (bodyRegexp != null && !bodyRegexp.matcher(body).find()) {
			return "body does not match /" + bodyRegexp + "/";
		}
		return null;
	}

	private String describeRanges() {
		return ranges.stream().map(r -> "[" + r[0] + "," + r[1] + "]").toList().toString();
	}

	private static final class HeaderRule {

		private final String name;

		private final @Nullable String exact;

		private final @Nullable Pattern regexp;

		HeaderRule(HeaderMatchSpec spec) {
			this.name = spec.name();
			boolean isRegexp = spec.parsedType() == MatchType.REGEXP;
			this.exact = isRegexp ? null : spec.value();
			this.regexp = isRegexp ? Pattern.compile(spec.value()) : null;
		}

		boolean matches(@Nullable String value) {
			String actual = (value != null) ? value : "";
			return (regexp != null) ? regexp.matcher(actual).find() : actual.equals(exact);
		}
	}
}
