package io.wsgate.filter.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.wsgate.filter.ratelimit.Permits.Decision;
import io.wsgate.filter.ratelimit.Permits.State;

/**
 * The counters of one url rule, per key, in this process. Memory stays bounded under a flood of
 * keys (client addresses, say): a counter that has nothing left to hand back (every permit it gave
 * lies in a past cycle) is the same as a new one, so a sweep drops it without changing any
 * decision; sweeps run every {@link #SWEEP_NANOS}, and when {@link #MAX_KEYS} is reached (at most
 * once per {@link #FULL_SWEEP_NANOS}: a sweep walks every key). Keys
 * beyond {@link #MAX_KEYS} with nothing to sweep share one overflow counter until the sweep makes
 * room: under such a flood the newcomers are limited together.
 */
final class LocalPermitStore {

	/** The most keys kept per url rule. */
	static final int MAX_KEYS = 100_000;

	/** How often spent counters are dropped. */
	static final long SWEEP_NANOS = 10_000_000_000L;

	/** The least time between two sweeps that a full store asks for. */
	static final long FULL_SWEEP_NANOS = 1_000_000_000L;

	private static final String OVERFLOW = "\0overflow";

	private final Permits permits;

	private final int maxKeys;

	private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

	private final AtomicBoolean sweeping = new AtomicBoolean();

	/** The clock the cycles count from (nanoTime at creation). */
	private final long origin;

	private volatile long nextSweep;

	private volatile long lastSweep;

	LocalPermitStore(Permits permits, int maxKeys, long originNanos) {
		this.permits = permits;
		this.maxKeys = maxKeys;
		this.origin = originNanos;
		this.nextSweep = SWEEP_NANOS;
	}

	/** Asks for a permit for {@code key} at {@code nowNanos} (System.nanoTime()). */
	Decision acquire(String key, long nowNanos) {
		long now = nowNanos - origin;
		if (now >= nextSweep || (states.size() >= maxKeys && now - lastSweep >= FULL_SWEEP_NANOS)) {
			sweep(now);
		}
		while (true) {
			State state = states.get(key);
			if (state == null) {
				// Races may take the map a few keys past the cap: it bounds memory, not a count.
				state = states.computeIfAbsent((states.size() < maxKeys) ? key : OVERFLOW, k -> new State());
			}
			synchronized (state) {
				if (!state.swept) {
					return permits.acquire(state, now);
				}
			}
			// Swept between the lookup and the lock: look again (it has left the map).
		}
	}

	/** The counters kept now. */
	int size() {
		return states.size();
	}

	/** Drops the counters that have nothing left to give back; one sweep at a time. */
	void sweep(long now) {
		if (!sweeping.compareAndSet(false, true)) {
			return;
		}
		try {
			lastSweep = now;
			nextSweep = now + SWEEP_NANOS;
			states.forEach((key, state) -> {
				synchronized (state) {
					if (permits.isSpent(state, now)) {
						state.swept = true;
						states.remove(key, state);
					}
				}
			});
		}
		finally {
			sweeping.set(false);
		}
	}
}
