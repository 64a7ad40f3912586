package io.wsgate.pipeline;

import reactor.core.publisher.Mono;

/**
 * A step of a pipeline. It may answer the request itself (the proxy upgrades it) and returns a
 * result: {@link #CONTINUE} to go on, or a named result that the flow's {@code jumpIf} can route.
 */
@FunctionalInterface
public interface Filter {

	/** The result that moves on to the next filter. */
	String CONTINUE = "";

	Mono<String> handle(FilterContext context);
}
