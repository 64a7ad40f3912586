package io.wsgate.filter.adaptor;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import io.wsgate.filter.adaptor.RequestAdaptorSpec.PathSpec;

/**
 * Rewrites the raw (still percent-encoded) path sent to the backend, as Easegress's path adaptor
 * does: only one operation applies, the first given in the order replace, addPrefix, trimPrefix,
 * regexpReplace. The query is not part of what it sees. A result that is empty or does not start
 * with "/" (a trimPrefix of "/chat" on "/chatroom", say) gets a leading "/": the request line needs it.
 */
final class PathAdaptor {

	/** The operations in the order Easegress tries them, as their keys. */
	static final List<String> PRECEDENCE = List.of("replace", "addPrefix", "trimPrefix", "regexpReplace");

	private final UnaryOperator<String> operation;

	private PathAdaptor(UnaryOperator<String> operation) {
		this.operation = operation;
	}

	/** The adaptor for validated options; null options keep the path. */
	static PathAdaptor of(PathSpec spec) {
		if (spec == null) {
			return new PathAdaptor(UnaryOperator.identity());
		}
		if (!spec.replace().isEmpty()) {
			String replace = spec.replace();
			return new PathAdaptor(path -> replace);
		}
		if (!spec.addPrefix().isEmpty()) {
			String prefix = spec.addPrefix();
			return new PathAdaptor(path -> prefix + path);
		}
		if (!spec.trimPrefix().isEmpty()) {
			String prefix = spec.trimPrefix();
			return new PathAdaptor(path -> path.startsWith(prefix) ? path.substring(prefix.length()) : path);
		}
		if (spec.regexpReplace() != null) {
			Pattern pattern = Pattern.compile(spec.regexpReplace().regexp());
			GoTemplate replacement = GoTemplate.parse(spec.regexpReplace().replace());
			return new PathAdaptor(path -> replacement.replaceAll(pattern, path));
		}
		return new PathAdaptor(UnaryOperator.identity());
	}

	/** The path to send for this raw path. */
	String adapt(String rawPath) {
		String adapted = operation.apply(rawPath);
		return adapted.startsWith("/") ? adapted : "/" + adapted;
	}

	/** Rewrites the path of a raw path-and-query, keeping the query as it is. */
	String adaptPathAndQuery(String pathAndQuery) {
		int query = pathAndQuery.indexOf('?');
		return (query < 0) ? adapt(pathAndQuery) : adapt(pathAndQuery.substring(0, query)) + pathAndQuery.substring(query);
	}
}
