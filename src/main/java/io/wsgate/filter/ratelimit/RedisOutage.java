package io.wsgate.filter.ratelimit;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis answers the RateLimiters, shared by all of them (they use one Redis): an outage is
 * logged once when it starts and once when it ends, however many handshakes meet it.
 */
final class RedisOutage {

	private static final Logger log = LoggerFactory.getLogger(RedisOutage.class);

	private final AtomicBoolean down = new AtomicBoolean();

	/** A call failed or timed out; {@code failureAction} says what handshakes get meanwhile. */
	void failed(Throwable cause, String failureAction) {
		if (down.compareAndSet(false, true)) {
			log.warn("RateLimiter: Redis is unreachable ({}); handshakes are {} by the redisFailure setting until it "
					+ "answers", describe(cause), failureAction);
		}
	}

	/** A call succeeded. */
	void answered() {
		if (down.get() && down.compareAndSet(true, false)) {
			log.info("RateLimiter: Redis answers again; handshakes are counted in it");
		}
	}

	/** The fault in a few words: the exception's type and message (refused, timeout), never a password. */
	private static String describe(Throwable cause) {
		if (cause instanceof TimeoutException) {
			return "no answer in time";
		}
		Throwable root = cause;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

	boolean isDown() {
		return down.get();
	}
}
