package io.wsgate.config;

import java.util.Set;

/** What the validator needs to know about filter kinds; implemented by the filter registry. */
public interface FilterKindCatalog {

	/** Whether a kind of this name exists. */
	boolean exists(String kind);

	/** The results a filter of this kind can return, usable as {@code jumpIf} keys. */
	Set<String> results(String kind);

	/** The {@link FilterSpec} options a filter of this kind reads. */
	Set<String> options(String kind);

	/** Checks the kind-specific options of a filter spec found at {@code path}. */
	void validate(FilterSpec spec, String path, ConfigProblems problems);
}
