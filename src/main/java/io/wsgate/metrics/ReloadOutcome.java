package io.wsgate.metrics;

/** The {@code outcome} tag of {@code wsgate.config.reloads}. */
public enum ReloadOutcome implements TagValue {

	/** The new configuration is in force. */
	APPLIED,

	/** A problem, or a filter or a port that could not be made: the configuration in force stays. */
	REJECTED
}
