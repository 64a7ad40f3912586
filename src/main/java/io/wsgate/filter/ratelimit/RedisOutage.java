package io.wsgate.filter.ratelimit;

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
			// The exception's type and message name the fault (refused, timeout), never a password.
			log.warn("RateLimiter: Redis is unreachable ({}: {}); handshakes are {} by the redisFailure setting "
					+ "until it answers", cause.getClass().getSimpleName(), cause.getMessage(), failureAction);
		}
	}

	/** A call succeeded. */
	void answered() {
		if (down.get() && down.compareAndSet(true, false)) {
			log.info("RateLimiter: Redis answers again; handshakes are counted in it");
		}
	}

	boolean isDown() {
		return down.get();
	}
}
