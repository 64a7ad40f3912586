package io.wsgate.filter.adaptor;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import io.wsgate.filter.adaptor.RequestAdaptorSpec.PathSpec;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites the raw (still percent-encoded) path sent to the backend: {@code replace} or
 * {@code regexpReplace} alone, or {@code trimPrefix} and then {@code addPrefix} (the contract's
 * {@code {trimPrefix: /chat, addPrefix: /v2}} sends {@code /chat/room} as {@code /v2/room}; Easegress
 * would apply only one of the two, so wsgate refuses what it cannot do the same way: replace or
 * regexpReplace beside another operation is a startup problem). The query is not part of what it
 * sees. A result that is empty or does not start with "/" (a trimPrefix of "/chat" on "/chatroom",
 * say) gets a leading "/": the request line needs it.
 */
final class PathAdaptor {

	/** The operations, as their keys. */
	static final List<String> OPERATIONS = List.of("replace", "regexpReplace", "trimPrefix", "addPrefix");

	private final UnaryOperator<String> operation;

	private PathAdaptor(UnaryOperator<String> operation) {
		this.operation = operation;
	}

	/** The adaptor for validated options; null options keep the path. */
	static PathAdaptor of(@Nullable PathSpec spec) {
		if (spec == null) {
			return new PathAdaptor(UnaryOperator.identity());
		}
		if (!spec.replace().isEmpty()) {
			String replace = spec.replace();
			return new PathAdaptor(path -> replace);
		}
		if (spec.regexpReplace() != null) {
			Pattern pattern = Pattern.compile(spec.regexpReplace().regexp());
			GoTemplate replacement = GoTemplate.parse(spec.regexpReplace().replace());
			return new PathAdaptor(path -> replacement.replaceAll(pattern, path));
		}
		String trim = spec.trimPrefix();
		String add = spec.addPrefix();
		return new PathAdaptor(path -> {
			String trimmed = (!trim.isEmpty() && path.startsWith(trim)) ? path.substring(trim.length()) : path;
			return add + trimmed;
		});
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
