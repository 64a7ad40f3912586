package io.wsgate.pipeline;

import java.util.Set;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.FilterSpec;

/**
 * A kind of filter, referred to by {@code kind} in the configuration. Declare one as a Spring bean
 * and the registry picks it up; the pipeline and the proxy need no change.
 */
public interface FilterKind {

	/** The name used as {@code kind}, e.g. {@code WebSocketProxy}. */
	String name();

	/** The non-empty results its filters can return, usable as {@code jumpIf} keys. */
	Set<String> results();

	/**
	 * The {@link FilterSpec} options its filters read (none by default); any other option given
	 * to a filter of this kind is a startup problem.
	 */
	default Set<String> options() {
		return Set.of();
	}

	/** Checks the options of a filter of this kind; {@code path} is the filter's key path. */
	void validate(FilterSpec spec, String path, ConfigProblems problems);

	/** Creates a filter from a validated spec. */
	Filter create(FilterSpec spec, String pipelineName);
}
