package io.wsgate.proxy.frame;

import java.util.List;

import io.wsgate.pipeline.SessionGuards.MessageRate;
import io.wsgate.pipeline.SessionGuards.MessageRate.Action;
import org.jspecify.annotations.Nullable;

/**
 * The client's message rates of one session (each a RateLimiter's {@code messages}), as token
 * buckets: each starts full with {@code burst} tokens and refills at {@code perSecond}; a message
 * takes one token from every bucket, when every bucket has one. Counted per message: the reader
 * asks at the first frame of each. Used on the session's event loop only.
 */
public final class MessageRateLimit {

	/** What {@link #take} returns when a {@code close} rate is exceeded. */
	static final long CLOSE = -1;

	private final double[] perNano;

	private final int[] burst;

	private final boolean[] closes;

	private final String[] filters;

	private final double[] tokens;

	private long last;

	private String exceededBy = "";

	MessageRateLimit(List<MessageRate> rates, long nowNanos) {
		int n = rates.size();
		perNano = new double[n];
		burst = new int[n];
		closes = new boolean[n];
		filters = new String[n];
		tokens = new double[n];
		for (int i = 0; i < n; i++) {
			MessageRate rate = rates.get(i);
			perNano[i] = rate.perSecond() / 1e9;
			burst[i] = rate.burst();
			closes[i] = rate.action() == Action.CLOSE;
			filters[i] = rate.filter();
			tokens[i] = rate.burst();
		}
		last = nowNanos;
	}

	/** The session's limit; null when no filter set one (the frame path then checks nothing). */
	public static @Nullable MessageRateLimit of(List<MessageRate> rates, long nowNanos) {
		return rates.isEmpty() ? null : new MessageRateLimit(rates, nowNanos);
	}

	/**
	 * Takes a token for a message starting at {@code now}: 0 when it may go now, {@link #CLOSE} when a
	 * {@code close} rate is exceeded, else the nanoseconds until every bucket has a token (nothing is
	 * taken then: ask again).
	 */
	long take(long now) {
		long elapsed = now - last;
		last = now;
		long wait = 0;
		for (int i = 0; i < tokens.length; i++) {
			tokens[i] = Math.min(burst[i], tokens[i] + elapsed * perNano[i]);
			if (tokens[i] < 1) {
				if (closes[i]) {
					exceededBy = filters[i];
					return CLOSE;
				}
				wait = Math.max(wait, (long) Math.ceil((1 - tokens[i]) / perNano[i]));
			}
		}
		if (wait > 0) {
			return wait;
		}
		for (int i = 0; i < tokens.length; i++) {
			tokens[i] -= 1;
		}
		return 0;
	}

	/** The filter whose {@code close} rate was exceeded ("" until one is). */
	String exceededBy() {
		return exceededBy;
	}
}
