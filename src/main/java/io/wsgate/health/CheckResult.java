package io.wsgate.health;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one probe.
 *
 * @param healthy whether the server passed
 * @param failure why it failed; null when it passed
 */
record CheckResult(boolean healthy, @Nullable String failure) {

	static final CheckResult OK = new CheckResult(true, null);

	static CheckResult failed(String failure) {
		return new CheckResult(false, failure);
	}
}
