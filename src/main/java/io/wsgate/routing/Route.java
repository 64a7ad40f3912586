package io.wsgate.routing;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of routing a request: the pipeline to run, or the HTTP status to answer with.
 *
 * @param pipeline the pipeline name; null when rejected
 * @param path the path condition that matched, as configured (low-cardinality: a tag of traces), or ""
 * @param status 0 when routed, else 404, 405 or 400
 * @param reason short text for the response body when rejected
 */
public record Route(@Nullable String pipeline, String path, int status, String reason) {

	static Route to(String pipeline, String path) {
		return new Route(pipeline, path, 0, "");
	}

	static Route rejected(int status, String reason) {
		return new Route(null, "", status, reason);
	}

	public boolean isRouted() {
		return pipeline != null;
	}
}
