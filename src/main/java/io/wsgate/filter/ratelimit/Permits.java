package io.wsgate.filter.ratelimit;

/**
 * Easegress's rate limiter (resilience4j's model) as pure arithmetic: time runs in cycles of
 * {@code periodNanos}, each granting {@code limitForPeriod} permits. A permit of a later cycle may be
 * reserved when it is due within {@code timeoutNanos}: the handshake then waits until that cycle
 * starts. Beyond that it is refused, and told when a permit can be had again.
 *
 * <p>A counter's state is two numbers: the cycle it was last written in, and the permits handed out
 * from that cycle's start (more than {@code limitForPeriod} when later cycles are reserved). The
 * Redis store runs the same arithmetic in its script.
 *
 * @param limitForPeriod permits per cycle
 * @param periodNanos the length of a cycle
 * @param timeoutNanos how long a handshake may wait for a permit
 */
record Permits(int limitForPeriod, long periodNanos, long timeoutNanos) {

	/** Permits that may be handed out from a cycle's start: its own and those reserved within the timeout. */
	long maxTokens() {
		return (long) limitForPeriod * (timeoutNanos / periodNanos + 1);
	}

	/**
	 * Asks for a permit at {@code now} (nanoseconds on the clock the cycles count from), updating
	 * {@code state}.
	 */
	Decision acquire(State state, long now) {
		long cycle = now / periodNanos;
		long tokens = Math.max(0, state.tokens - (cycle - state.cycle) * limitForPeriod);
		long max = maxTokens();
		if (tokens >= max) {
			long freeCycle = cycle + (tokens - max) / limitForPeriod + 1;
			return Decision.refused(freeCycle * periodNanos - now);
		}
		state.cycle = cycle;
		state.tokens = tokens + 1;
		if (tokens < limitForPeriod) {
			return Decision.PERMITTED;
		}
		return Decision.after((cycle + tokens / limitForPeriod) * periodNanos - now);
	}

	/** Whether a state has handed out nothing that is still due at {@code now}: dropping it changes nothing. */
	boolean isSpent(State state, long now) {
		return state.tokens - (now / periodNanos - state.cycle) * limitForPeriod <= 0;
	}

	/** One counter's state; guarded by its owner. */
	static final class State {

		long cycle;

		long tokens;

		/** Dropped from its store: a new state takes its place. */
		boolean swept;
	}

	/**
	 * What a handshake gets.
	 *
	 * @param permitted whether it may go on
	 * @param nanos permitted: how long it waits first; refused: how long until a permit is due
	 */
	record Decision(boolean permitted, long nanos) {

		static final Decision PERMITTED = new Decision(true, 0);

		static Decision after(long waitNanos) {
			return new Decision(true, waitNanos);
		}

		static Decision refused(long retryAfterNanos) {
			return new Decision(false, retryAfterNanos);
		}
	}
}
