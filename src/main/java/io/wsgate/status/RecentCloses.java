package io.wsgate.status;

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
	 * @param pipeline the pipeline
	 * @param pool the pool (its name is unique only inside its pipeline)
	 * @param server the backend server
	 * @param code the close code (1006 for a lost connection)
	 * @param closedBy client, backend or gateway
	 * @param durationMs the session's length
	 */
	public record Close(String time, String pipeline, String pool, String server, int code, String closedBy, long durationMs) {
	}

	private final int capacity;

	/** The summaries as they came: a close is made of one (and its time formatted) only when the page asks. */
	private final Deque<SessionSummary> closes = new ArrayDeque<>();

	public RecentCloses(int capacity) {
		this.capacity = capacity;
	}

	@Override
	public void sessionFinished(SessionSummary summary) {
		if (summary.status() != 101) {
			return;
		}
		synchronized (closes) {
			closes.addFirst(summary);
			if (closes.size() > capacity) {
				closes.removeLast();
			}
		}
	}

	/** Newest first. */
	public List<Close> list() {
		synchronized (closes) {
			List<Close> list = new ArrayList<>(closes.size());
			closes.forEach(summary -> list.add(toClose(summary)));
			return list;
		}
	}

	private static Close toClose(SessionSummary s) {
		return new Close(s.start().plus(s.duration()).toString(), s.pipeline(), s.pool(), s.server(), s.closeCode(), s.closedBy(),
				s.duration().toMillis());
	}
}
