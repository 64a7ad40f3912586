package io.wsgate.config;

import java.util.List;

/**
 * One listener ({@code wsgate.http-servers[i]}).
 *
 * @param name unique name, used in logs and metrics
 * @param port TCP port (0 = any free port, for tests)
 * @param address bind address (default 0.0.0.0)
 * @param rules routing rules; the first matching rule and path wins
 */
public record HttpServerSpec(String name, Integer port, String address, List<RuleSpec> rules) {

	public HttpServerSpec {
		name = Specs.text(name);
		address = (address != null && !address.isBlank()) ? address : "0.0.0.0";
		rules = Specs.list(rules);
	}

	/**
	 * A host rule with its paths.
	 *
	 * @param host exact host, or one leading or trailing {@code *}; empty = any host
	 * @param paths path rules, tried in order
	 */
	public record RuleSpec(String host, List<PathSpec> paths) {

		public RuleSpec {
			host = Specs.text(host);
			paths = Specs.list(paths);
		}
	}

	/**
	 * A path rule routing to a pipeline. Exactly one of {@code path}, {@code pathPrefix},
	 * {@code pathRegexp} may be set; none set matches every path.
	 *
	 * @param path exact path
	 * @param pathPrefix path prefix
	 * @param pathRegexp regular expression, searched (find semantics)
	 * @param methods allowed methods; a mismatch answers 405
	 * @param headers required headers; a mismatch answers 400
	 * @param clientMaxBodySize accepted for Easegress compatibility; an upgrade body is never buffered
	 * @param backend name of the pipeline
	 */
	public record PathSpec(String path, String pathPrefix, String pathRegexp, List<String> methods,
			List<HeaderRuleSpec> headers, Long clientMaxBodySize, String backend) {

		public PathSpec {
			path = Specs.text(path);
			pathPrefix = Specs.text(pathPrefix);
			pathRegexp = Specs.text(pathRegexp);
			methods = Specs.list(methods);
			headers = Specs.list(headers);
			backend = Specs.text(backend);
		}
	}

	/**
	 * A header the request must carry: one of {@code values}, or a match of {@code regexp}.
	 *
	 * @param key header name
	 * @param values accepted values (exact)
	 * @param regexp accepted pattern (find semantics)
	 */
	public record HeaderRuleSpec(String key, List<String> values, String regexp) {

		public HeaderRuleSpec {
			key = Specs.text(key);
			values = Specs.list(values);
			regexp = Specs.text(regexp);
		}
	}
}
