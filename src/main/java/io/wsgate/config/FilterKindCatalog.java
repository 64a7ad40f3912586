package io.wsgate.config;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What the validator needs to know about filter kinds; implemented by the filter registry. */
public interface FilterKindCatalog {

	/** Whether a kind of this name exists. */
	boolean exists(String kind);

	/** The results a filter of this kind can return, usable as {@code jumpIf} keys. */
	Set<String> results(String kind);

	/** The record a filter of this kind binds its options to (null: there is no such kind). */
	@Nullable Class<?> specType(String kind);

	/** Checks the options of a filter of this kind, bound to its {@link #specType}, found at {@code path}. */
	void validate(String kind, Object spec, String path, ConfigProblems problems);
}
