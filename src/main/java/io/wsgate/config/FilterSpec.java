package io.wsgate.config;

import java.util.List;

/**
 * A filter instance of a pipeline ({@code wsgate.pipelines[i].filters[j]}). The fields after
 * {@code kind} and {@code name} are the options of the built-in kinds; a kind reads the ones
 * it understands and the validator rejects options given to a kind that has none of them.
 *
 * @param kind the filter kind, for example {@code WebSocketProxy}
 * @param name unique name inside the pipeline, referred to by the flow
 * @param defaultOrigin WebSocketProxy: {@code Origin} sent to the backend when the client sent none
 * @param pools WebSocketProxy: server pools; exactly one without {@code filter}
 * @param compression WebSocketProxy: {@code passthrough} (default): the client's permessage-deflate
 * offer goes to the backend and its answer comes back; {@code off}: never negotiated
 */
public record FilterSpec(String kind, String name, String defaultOrigin, List<PoolSpec> pools, String compression) {

	public FilterSpec {
		kind = Specs.text(kind);
		name = Specs.text(name);
		defaultOrigin = Specs.text(defaultOrigin);
		pools = Specs.list(pools);
		compression = (compression != null) ? compression : "passthrough";
	}
}
