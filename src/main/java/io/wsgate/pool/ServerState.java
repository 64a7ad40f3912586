package io.wsgate.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.wsgate.config.PoolSpec;
import org.jspecify.annotations.Nullable;

/**
 * The health of one server of a pool, from two sources:
 * <ul>
 * <li>active checks: {@code fails} consecutive failures mark it down, {@code pass} consecutive
 * successes mark it up again (it starts up);</li>
 * <li>passive health: {@code fails} consecutive failed dials take it out for a back-off; after the
 * back-off one more failure takes it out again for twice as long (up to the maximum), a successful
 * dial resets it.</li>
 * </ul>
 * A passing active check brings a server that passive health took out back at once, as Envoy's
 * outlier detection does by default: the check has just seen it answer, so waiting out the
 * back-off would only keep a working server idle. It stays on probation until a dial succeeds.
 * It is available for new sessions only when neither source holds it out. Changes are rare, so
 * the methods are synchronized; the load balancer reads the pool's snapshot, never this object.
 */
public final class ServerState {

	/**
	 * A read-only view for Actuator and status pages.
	 *
	 * @param url the server's URL
	 * @param tags the server's tags
	 * @param available whether it gets new sessions
	 * @param activeUp the active checks' verdict (true without checks)
	 * @param ejectedUntil end of the passive back-off (null: not taken out)
	 * @param lastCheck time of the last active check (null: none yet)
	 * @param lastFailure the last failure reason, of a check or a dial (null: none yet)
	 * @param consecutiveSuccesses of active checks
	 * @param consecutiveFailures of active checks
	 * @param consecutiveDialFailures of real-traffic dials
	 */
	public record Snapshot(String url, List<String> tags, boolean available, boolean activeUp, @Nullable Instant ejectedUntil,
			@Nullable Instant lastCheck, @Nullable String lastFailure, int consecutiveSuccesses, int consecutiveFailures, int consecutiveDialFailures) {
	}

	private Server server;

	private int checkFails;

	private int checkPasses;

	private boolean passive;

	private int dialFails;

	private Duration baseBackoff;

	private Duration maxBackoff;

	private boolean activeUp = true;

	private int successes;

	private int failures;

	private @Nullable Instant lastCheck;

	private @Nullable String lastFailure;

	private int dialFailures;

	private @Nullable Instant ejectedUntil;

	/** The back-off of the next ejection (null: not ejected since its last success). */
	private @Nullable Duration nextBackoff;

	ServerState(Server server, PoolSpec spec) {
		reconfigure(server, spec);
	}

	/**
	 * Takes the options of a new configuration (a reload that kept the server): its health so far
	 * (verdict, counters, back-off) stays.
	 */
	synchronized void reconfigure(Server server, PoolSpec spec) {
		this.server = server;
		this.checkFails = (spec.healthCheck() != null) ? spec.healthCheck().fails() : 1;
		this.checkPasses = (spec.healthCheck() != null) ? spec.healthCheck().successesToRecover() : 1;
		this.passive = spec.passiveHealthCheck().enabled();
		this.dialFails = spec.passiveFails();
		this.baseBackoff = spec.passiveHealthCheck().backoff();
		this.maxBackoff = spec.passiveHealthCheck().maxBackoff();
	}

	public synchronized Server server() {
		return server;
	}

	/** Whether the server gets new sessions at this time. */
	synchronized boolean isAvailable(Instant now) {
		return activeUp && (ejectedUntil == null || !now.isBefore(ejectedUntil));
	}

	/** What an active check changed for the server. */
	enum CheckChange {

		/** Nothing that decides whether it gets sessions. */
		NONE,

		/** The checks now pass: it is up again. */
		UP,

		/** The checks now fail: it is down. */
		DOWN,

		/** A passing check ended a passive back-off early. */
		READMITTED
	}

	/** Records an active check result and says what it changed. */
	synchronized CheckChange recordCheck(boolean healthy, @Nullable String failure, Instant now) {
		lastCheck = now;
		if (healthy) {
			failures = 0;
			successes++;
			boolean readmitted = ejectedUntil != null && now.isBefore(ejectedUntil);
			ejectedUntil = null;
			if (!activeUp && successes >= checkPasses) {
				activeUp = true;
				return CheckChange.UP;
			}
			return readmitted ? CheckChange.READMITTED : CheckChange.NONE;
		}
		lastFailure = failure;
		successes = 0;
		failures++;
		if (activeUp && failures >= checkFails) {
			activeUp = false;
			return CheckChange.DOWN;
		}
		return CheckChange.NONE;
	}

	/**
	 * Records a failed dial (refused, timed out, or a 5xx handshake answer).
	 * @return the back-off the server was taken out for (null: it stays in)
	 */
	synchronized @Nullable Duration recordDialFailure(String failure, Instant now) {
		lastFailure = failure;
		if (!passive) {
			return null;
		}
		dialFailures++;
		// On probation after a back-off, one failure is enough to go out again, for longer.
		if (nextBackoff == null && dialFailures < dialFails) {
			return null;
		}
		Duration backoff = (nextBackoff != null) ? nextBackoff : baseBackoff;
		nextBackoff = min(backoff.multipliedBy(2), maxBackoff);
		ejectedUntil = now.plus(backoff);
		dialFailures = 0;
		return backoff;
	}

	/**
	 * Records a successful dial: the passive state is reset.
	 * @return whether the server was held out until now (a dial that began before it was taken out)
	 */
	synchronized boolean recordDialSuccess(Instant now) {
		boolean wasOut = ejectedUntil != null && now.isBefore(ejectedUntil);
		dialFailures = 0;
		nextBackoff = null;
		ejectedUntil = null;
		return wasOut;
	}

	public synchronized Snapshot snapshot(Instant now) {
		return new Snapshot(server.url(), server.tags(), isAvailable(now), activeUp,
				(ejectedUntil != null && now.isBefore(ejectedUntil)) ? ejectedUntil : null, lastCheck, lastFailure,
				successes, failures, dialFailures);
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}
}
