package io.wsgate.pipeline;

import java.util.Set;

import io.wsgate.config.ConfigProblems;

/**
 * A kind of filter, referred to by {@code kind} in the configuration. Declare one as a Spring bean
 * and the registry picks it up; the pipeline, the validator and the other kinds need no change.
 * The kind owns its options: the keys of a filter beside {@code kind} and {@code name} bind to its
 * {@link #specType()} record, and any other key is a startup problem.
 *
 * @param <S> the record its filters' options bind to
 */
public interface FilterKind<S> {

	/** The name used as {@code kind}, e.g. {@code WebSocketProxy}. */
	String name();

	/** The non-empty results its filters can return, usable as {@code jumpIf} keys. */
	Set<String> results();

	/** The record a filter's options bind to ({@link NoOptions} for a kind without any). */
	Class<S> specType();

	/** Checks the options of a filter of this kind; {@code path} is the filter's key path. */
	void validate(S spec, String path, ConfigProblems problems);

	/** Creates a filter from validated options; {@code filterName} and {@code pipelineName} name it. */
	Filter create(S spec, String filterName, String pipelineName);

	/** The options of a kind that has none. */
	record NoOptions() {
	}
}
