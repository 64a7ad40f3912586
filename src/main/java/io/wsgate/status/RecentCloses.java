package io.wsgate.status;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last finished sessions' closes, for the status page (bounded: the oldest are dropped). */
public final class RecentCloses implements SessionListener {

	/**
	 * One close.
	 *
	 * @param time when the session ended
	 * @param pool the pool
	 * @param server the backend server
	 * @param code the close code (1006 for a lost connection)
	 * @param closedBy client, backend or gateway
	 * @param durationMs the session's length
	 */
	public record Close(String time, String pool, String server, int code, String closedBy, long durationMs) {
	}

	private final int capacity;

	/** A close as kept: its time is formatted only when the page asks (sessions end far more often). */
	private record Ended(Instant time, String pool, String server, int code, String closedBy, long durationMs) {

		Close toClose() {
			return new Close(time.toString(), pool, server, code, closedBy, durationMs);
		}
	}

	private final Deque<Ended> closes = new ArrayDeque<>();

	public RecentCloses(int capacity) {
		this.capacity = capacity;
	}

	@Override
	public void sessionFinished(SessionSummary summary) {
		if (summary.status() != 101) {
			return;
		}
		Ended close = new Ended(summary.start().plus(summary.duration()), summary.pool(), summary.server(),
				summary.closeCode(), summary.closedBy(), summary.duration().toMillis());
		synchronized (closes) {
			closes.addFirst(close);
			if (closes.size() > capacity) {
				closes.removeLast();
			}
		}
	}

	/** Newest first. */
	public List<Close> list() {
		synchronized (closes) {
			List<Close> list = new ArrayList<>(closes.size());
			closes.forEach(ended -> list.add(ended.toClose()));
			return list;
		}
	}
}
