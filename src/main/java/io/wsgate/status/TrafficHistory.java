package io.wsgate.status;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The last minutes of the gateway's traffic for the dashboard's charts: a fixed ring of samples, so
 * memory stays the same however long the gateway runs. A sample holds the active sessions and the
 * rates of messages, handshakes and refusals, each the counter's increase since the previous
 * reading divided by the time between the two.
 */
public final class TrafficHistory {

	/**
	 * Counter totals and the active sessions at one moment.
	 *
	 * @param activeSessions sessions being relayed
	 * @param messages messages relayed so far
	 * @param handshakes handshakes that reached a WebSocketProxy so far, and those a filter refused before it
	 * @param refusals those of them not upgraded
	 */
	public record Reading(long activeSessions, long messages, long handshakes, long refusals) {
	}

	/**
	 * The samples, oldest first, as columns (compact JSON).
	 *
	 * @param intervalMillis the time between two samples
	 * @param capacity how many samples are kept: the window is capacity times interval
	 * @param time when each sample was read, epoch milliseconds
	 * @param activeSessions sessions being relayed at that time
	 * @param messagesPerSecond messages relayed per second since the previous sample
	 * @param handshakesPerSecond handshakes per second since the previous sample
	 * @param refusalsPerSecond refused handshakes per second since the previous sample
	 */
	public record Snapshot(long intervalMillis, int capacity, long[] time, long[] activeSessions, double[] messagesPerSecond,
			double[] handshakesPerSecond, double[] refusalsPerSecond) {
	}

	private final Duration interval;

	private final long[] times;

	private final long[] active;

	private final double[] messages;

	private final double[] handshakes;

	private final double[] refusals;

	/** Where the next sample goes. */
	private int next;

	private int size;

	private @Nullable Reading previous;

	private long previousNanos;

	public TrafficHistory(int capacity, Duration interval) {
		this.interval = interval;
		this.times = new long[capacity];
		this.active = new long[capacity];
		this.messages = new double[capacity];
		this.handshakes = new double[capacity];
		this.refusals = new double[capacity];
	}

	/** 15 minutes, one sample a second. */
	public static TrafficHistory fifteenMinutes() {
		return new TrafficHistory(900, Duration.ofSeconds(1));
	}

	public Duration interval() {
		return interval;
	}

	/**
	 * Adds a sample made of this reading and the previous one; the first reading only sets the base.
	 *
	 * @param epochMillis the wall-clock time shown for the sample
	 * @param nanoTime {@link System#nanoTime()} at the reading: rates use it, so a wall-clock step does not skew them
	 * @param reading the totals read
	 */
	public synchronized void record(long epochMillis, long nanoTime, Reading reading) {
		Reading before = previous;
		double seconds = (nanoTime - previousNanos) / 1e9;
		previous = reading;
		previousNanos = nanoTime;
		if (before == null || seconds <= 0) {
			return;
		}
		times[next] = epochMillis;
		active[next] = reading.activeSessions();
		messages[next] = rate(before.messages(), reading.messages(), seconds);
		handshakes[next] = rate(before.handshakes(), reading.handshakes(), seconds);
		refusals[next] = rate(before.refusals(), reading.refusals(), seconds);
		next = (next + 1) % times.length;
		size = Math.min(size + 1, times.length);
	}

	/** Two decimals are plenty for a chart and keep the JSON short. */
	private static double rate(long from, long to, double seconds) {
		return Math.round(Math.max(0, to - from) / seconds * 100) / 100.0;
	}

	public synchronized Snapshot snapshot() {
		int capacity = times.length;
		int oldest = (next - size + capacity) % capacity;
		Snapshot snapshot = new Snapshot(interval.toMillis(), capacity, new long[size], new long[size], new double[size],
				new double[size], new double[size]);
		for (int i = 0; i < size; i++) {
			int from = (oldest + i) % capacity;
			snapshot.time()[i] = times[from];
			snapshot.activeSessions()[i] = active[from];
			snapshot.messagesPerSecond()[i] = messages[from];
			snapshot.handshakesPerSecond()[i] = handshakes[from];
			snapshot.refusalsPerSecond()[i] = refusals[from];
		}
		return snapshot;
	}
}
