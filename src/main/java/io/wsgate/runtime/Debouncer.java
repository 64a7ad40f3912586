package io.wsgate.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Runs an action once a burst of triggers has been quiet for a while: an editor's save, or a
 * ConfigMap update (several files and a symlink swap), becomes one reload.
 */
public final class Debouncer {

	private final Duration quiet;

	private final Scheduler scheduler;

	private final Runnable action;

	private @Nullable Disposable pending;

	/**
	 * @param quiet how long no trigger must come before the action runs
	 * @param scheduler where the action runs
	 * @param action what to run
	 */
	public Debouncer(Duration quiet, Scheduler scheduler, Runnable action) {
		this.quiet = quiet;
		this.scheduler = scheduler;
		this.action = action;
	}

	/** Runs the action after the quiet period, unless another trigger comes first. */
	public synchronized void trigger() {
		if (pending != null) {
			pending.dispose();
		}
		pending = scheduler.schedule(action, quiet.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Drops a pending action. */
	public synchronized void cancel() {
		if (pending != null) {
			pending.dispose();
			pending = null;
		}
	}
}
