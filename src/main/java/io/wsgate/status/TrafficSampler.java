package io.wsgate.status;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Reads the gateway's totals into its {@link TrafficHistory} once per interval, from the
 * application's start to its stop, on a thread of its own (never an event loop).
 */
public final class TrafficSampler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(TrafficSampler.class);

	private final GatewayTotals totals;

	private final TrafficHistory history;

	private volatile @Nullable ScheduledExecutorService executor;

	public TrafficSampler(GatewayTotals totals, TrafficHistory history) {
		this.totals = totals;
		this.history = history;
	}

	@Override
	public void start() {
		ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(task -> {
			Thread thread = new Thread(task, "wsgate-traffic-history");
			thread.setDaemon(true);
			return thread;
		});
		// Fixed delay, not rate: after a pause the readings do not bunch up into near-zero intervals.
		long interval = history.interval().toMillis();
		started.scheduleWithFixedDelay(this::sample, 0, interval, TimeUnit.MILLISECONDS);
		executor = started;
	}

	@Override
	public void stop() {
		ScheduledExecutorService running = executor;
		executor = null;
		if (running != null) {
			running.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return executor != null;
	}

	void sample() {
		try {
			GatewayTotals.Totals now = totals.read();
			history.record(System.currentTimeMillis(), System.nanoTime(),
					new TrafficHistory.Reading(now.activeSessions(), now.messages(), now.handshakes(), now.refusals()));
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again: log, and try again next time.
			logger.warn("Could not sample the gateway's totals for the dashboard's history", ex);
		}
	}
}
