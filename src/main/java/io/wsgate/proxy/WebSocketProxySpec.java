package io.wsgate.proxy;

import java.util.List;

import io.wsgate.config.PoolSpec;

/**
 * The options of a {@code WebSocketProxy} filter: the keys beside its {@code kind} and {@code name}.
 *
 * @param defaultOrigin {@code Origin} sent to the backend when the client sent none
 * @param pools server pools; exactly one without {@code filter}
 * @param compression {@code passthrough} (the default, when empty): the client's permessage-deflate
 * offer goes to the backend and its answer comes back; {@code off}: never negotiated
 */
public record WebSocketProxySpec(String defaultOrigin, List<PoolSpec> pools, String compression) {

	public WebSocketProxySpec {
		defaultOrigin = (defaultOrigin != null) ? defaultOrigin : "";
		pools = (pools != null) ? List.copyOf(pools) : List.of();
		compression = (compression != null) ? compression : "";
	}
}
