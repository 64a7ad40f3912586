package io.wsgate.filter.adaptor;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.ConfigValidator;
import io.wsgate.filter.adaptor.RequestAdaptorSpec.HeaderSpec;
import io.wsgate.filter.adaptor.RequestAdaptorSpec.PathSpec;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import org.jspecify.annotations.Nullable;

/**
 * The {@code RequestAdaptor} filter kind. Its filters always continue: Easegress's results are about
 * bodies (compress, decompress, sign), which a WebSocket handshake does not have.
 */
public final class RequestAdaptorKind implements FilterKind<RequestAdaptorSpec> {

	public static final String NAME = "RequestAdaptor";

	/** A raw path: RFC 3986 pchar and "/", percent-escapes checked apart. */
	private static final Pattern RAW_PATH = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*");

	private static final Pattern PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");

	/** The group references of a Go replacement template, which are no part of the path as written. */
	private static final Pattern REFERENCE = Pattern.compile("\\$(\\$|\\{\\w+}|\\w+)");

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Set<String> results() {
		return Set.of();
	}

	@Override
	public Class<RequestAdaptorSpec> specType() {
		return RequestAdaptorSpec.class;
	}

	@Override
	public void validate(RequestAdaptorSpec spec, String path, ConfigProblems problems) {
		if (!spec.host().isEmpty()) {
			String problem = hostProblem(spec.host());
			if (problem != null) {
				problems.add(path + ".host", "'" + spec.host() + "' " + problem);
			}
		}
		if (spec.path() != null) {
			validatePath(spec.path(), path + ".path", problems);
		}
		if (spec.header() != null) {
			validateHeader(spec.header(), path + ".header", problems);
		}
	}

	@Override
	public Filter create(RequestAdaptorSpec spec, String filterName, String pipelineName) {
		return new RequestAdaptorFilter(spec);
	}

	/** The path operations given. */
	static List<String> operations(PathSpec spec) {
		List<String> given = new ArrayList<>();
		if (!spec.replace().isEmpty()) {
			given.add("replace");
		}
		if (spec.regexpReplace() != null) {
			given.add("regexpReplace");
		}
		if (!spec.trimPrefix().isEmpty()) {
			given.add("trimPrefix");
		}
		if (!spec.addPrefix().isEmpty()) {
			given.add("addPrefix");
		}
		return given;
	}

	private static void validatePath(PathSpec spec, String path, ConfigProblems problems) {
		List<String> given = operations(spec);
		if (given.isEmpty()) {
			problems.add(path, "set one of " + String.join(", ", PathAdaptor.OPERATIONS));
		}
		for (String alone : List.of("replace", "regexpReplace")) {
			if (given.contains(alone) && given.size() > 1) {
				problems.add(path + "." + alone, "cannot be combined with "
						+ String.join(", ", given.stream().filter(op -> !op.equals(alone)).toList())
						+ " (give replace, or regexpReplace, or trimPrefix and/or addPrefix)");
			}
		}
		checkPathValue(spec.replace(), path + ".replace", problems);
		checkPathValue(spec.addPrefix(), path + ".addPrefix", problems);
		checkPathValue(spec.trimPrefix(), path + ".trimPrefix", problems);
		if (spec.regexpReplace() != null) {
			String regexp = spec.regexpReplace().regexp();
			if (regexp.isEmpty()) {
				problems.add(path + ".regexpReplace.regexp", "is required");
			}
			ConfigValidator.checkRegex(regexp, path + ".regexpReplace.regexp", problems);
			String written = REFERENCE.matcher(spec.regexpReplace().replace()).replaceAll("");
			String problem = rawPathProblem(written);
			if (problem != null) {
				problems.add(path + ".regexpReplace.replace", "'" + spec.regexpReplace().replace() + "' " + problem);
			}
		}
	}

	/** A path, or a prefix of one: starts with "/" and is written as a raw path. */
	private static void checkPathValue(String value, String key, ConfigProblems problems) {
		if (value.isEmpty()) {
			return;
		}
		if (!value.startsWith("/")) {
			problems.add(key, "'" + value + "' (expected: a path starting with /)");
			return;
		}
		String problem = rawPathProblem(value);
		if (problem != null) {
			problems.add(key, "'" + value + "' " + problem);
		}
	}

	private static @Nullable String rawPathProblem(String value) {
		if (!RAW_PATH.matcher(value).matches()) {
			return "has a character a path cannot carry as it is (a space, ?, # ...): percent-encode it";
		}
		if (PERCENT.matcher(value).find()) {
			return "has a % that is not followed by two hex digits";
		}
		return null;
	}

	private static void validateHeader(HeaderSpec header, String path, ConfigProblems problems) {
		for (int i = 0; i < header.del().size(); i++) {
			String problem = HeaderRules.nameProblem(header.del().get(i));
			if (problem != null) {
				problems.add(path + ".del[" + i + "]", problem);
			}
		}
		checkHeaders(header.set(), path + ".set", problems);
		checkHeaders(header.add(), path + ".add", problems);
	}

	private static void checkHeaders(Map<String, String> headers, String path, ConfigProblems problems) {
		headers.forEach((name, value) -> {
			String problem = HeaderRules.nameProblem(name);
			if (problem == null) {
				problem = HeaderRules.valueProblem(value);
			}
			if (problem != null) {
				problems.add(path + "." + name, problem);
			}
		});
	}

	/** What is wrong with a Host value (null: nothing): a host name or address, with an optional port. */
	private static @Nullable String hostProblem(String host) {
		try {
			URI uri = new URI("ws://" + host + "/");
			boolean plain = uri.getHost() != null && uri.getRawUserInfo() == null && "/".equals(uri.getRawPath())
					&& uri.getRawQuery() == null && uri.getRawFragment() == null;
			if (plain && uri.getPort() <= 65535) {
				return null;
			}
		}
		catch (URISyntaxException ex) {
			// Reported below.
		}
		return "(expected: a host name or address, with an optional :port)";
	}
}
