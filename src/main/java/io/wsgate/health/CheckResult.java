package io.wsgate.health;

/**
 * The outcome of one probe.
 *
 * @param healthy whether the server passed
 * @param failure why it failed, or null
 */
record CheckResult(boolean healthy, String failure) {

	static final CheckResult OK = new CheckResult(true, null);

	static CheckResult failed(String failure) {
		return new CheckResult(false, failure);
	}
}
