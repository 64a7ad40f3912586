package io.wsgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.wsgate.config.HealthCheckSpec.HeaderMatchSpec;
import io.wsgate.config.HealthCheckSpec.MatchSpec;
import io.wsgate.config.HealthCheckSpec.MatchType;
import org.jspecify.annotations.Nullable;

/** Checks a pool's {@code healthCheck} and {@code passiveHealthCheck}, naming the key of each problem. */
public final class HealthCheckValidator {

	private HealthCheckValidator() {
	}

	public static void validate(@Nullable HealthCheckSpec spec, String path, ConfigProblems problems) {
		if (spec == null) {
			return;
		}
		if (spec.http() == null && spec.ws() == null) {
			// YAML reads an empty map as nothing, so "ws: {}" lands here too.
			problems.add(path, "set http and/or ws: a health check needs at least one check"
					+ " (an empty 'ws: {}' reads as absent: give it a key, e.g. 'ws: {uri: /}')");
		}
		positive(spec.interval(), path + ".interval", problems);
		positive(spec.timeout(), path + ".timeout", problems);
		if (spec.fails() < 1) {
			problems.add(path + ".fails", spec.fails() + " (expected: 1 or more)");
		}
		if (spec.pass() != null && spec.passes() != null && !spec.pass().equals(spec.passes())) {
			problems.add(path + ".pass", "pass and passes are the same setting: give one of them");
		}
		if (spec.successesToRecover() < 1) {
			problems.add(path + ".pass", spec.successesToRecover() + " (expected: 1 or more)");
		}
		if (spec.ws() != null) {
			checkPortAndUri(spec.ws().port(), spec.ws().uri(), path + ".ws", problems);
			checkMatch(spec.ws().match(), path + ".ws.match", problems);
		}
		if (spec.http() != null) {
			String httpPath = path + ".http";
			checkPortAndUri(spec.http().port(), spec.http().uri(), httpPath, problems);
			if (!ConfigValidator.HTTP_METHODS.contains(spec.http().method().toUpperCase(Locale.ROOT))) {
				problems.add(httpPath + ".method", "'" + spec.http().method() + "' is not an HTTP method");
			}
			if (spec.http().username().isEmpty() != spec.http().password().isEmpty()) {
				problems.add(httpPath, "set both username and password, or neither");
			}
			checkMatch(spec.http().match(), httpPath + ".match", problems);
		}
	}

	public static void validatePassive(PassiveHealthCheckSpec spec, String path, ConfigProblems problems) {
		positive(spec.backoff(), path + ".backoff", problems);
		if (spec.maxBackoff().compareTo(spec.backoff()) < 0) {
			problems.add(path + ".maxBackoff", "must not be shorter than backoff");
		}
		if (spec.fails() != null && spec.fails() < 1) {
			problems.add(path + ".fails", spec.fails() + " (expected: 1 or more)");
		}
	}

	private static void checkPortAndUri(int port, String uri, String path, ConfigProblems problems) {
		if (port < 0 || port > 65535) {
			problems.add(path + ".port", port + " (expected: 0..65535, 0 = the server's port)");
		}
		if (!uri.isEmpty()) {
			try {
				URI parsed = new URI(uri);
				if (parsed.isAbsolute() || !uri.startsWith("/")) {
					problems.add(path + ".uri", "'" + uri + "' (expected: a path such as /health, with an optional query)");
				}
			}
			catch (Exception ex) {
				problems.add(path + ".uri", "'" + uri + "' is not a valid path");
			}
		}
	}

	private static void checkMatch(MatchSpec match, String path, ConfigProblems problems) {
		for (int i = 0; i < match.statusCodes().size(); i++) {
			List<Integer> range = match.statusCodes().get(i);
			if (range.size() != 2 || range.get(0) > range.get(1) || range.get(0) < 100 || range.get(1) > 599) {
				problems.add(path + ".statusCodes[" + i + "]", range + " (expected: [low, high] within 100..599)");
			}
		}
		for (int i = 0; i < match.headers().size(); i++) {
			HeaderMatchSpec header = match.headers().get(i);
			String headerPath = path + ".headers[" + i + "]";
			if (header.name().isBlank()) {
				problems.add(headerPath + ".name", "is required");
			}
			if (header.parsedType() == null) {
				problems.add(headerPath + ".type", "'" + header.type() + "' (expected: exact or regexp)");
			}
			else if (header.parsedType() == MatchType.REGEXP) {
				ConfigValidator.checkRegex(header.value(), headerPath + ".value", problems);
			}
		}
		if (match.body() != null) {
			if (match.body().parsedType() == null) {
				problems.add(path + ".body.type", "'" + match.body().type() + "' (expected: contains or regexp)");
			}
			else if (match.body().parsedType() == MatchType.REGEXP) {
				ConfigValidator.checkRegex(match.body().value(), path + ".body.value", problems);
			}
		}
	}

	private static void positive(Duration duration, String path, ConfigProblems problems) {
		if (duration.isNegative() || duration.isZero()) {
			problems.add(path, "must be positive");
		}
	}
}
