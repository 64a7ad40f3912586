package io.wsgate.proxy;

import java.time.Duration;
import java.time.Instant;

import io.wsgate.pipeline.FilterContext;
import io.wsgate.status.SessionSummary;

/**
 * What the proxy learns about one handshake and its session as it goes. Each traffic field is
 * written by one pump only; the close is recorded once, by whichever side ended first.
 */
final class SessionRecord {

	private final FilterContext context;

	private final Instant start = Instant.now();

	private final long startNanos = System.nanoTime();

	volatile String pool = "";

	volatile String server = "";

	volatile String subprotocol = "";

	volatile int status;

	volatile String outcome = "";

	final Traffic up = new Traffic();

	final Traffic down = new Traffic();

	private int closeCode;

	private String closedBy = "";

	SessionRecord(FilterContext context) {
		this.context = context;
	}

	/** Messages and payload bytes of one direction. */
	static final class Traffic {

		long messages;

		long bytes;
	}

	long elapsedNanos() {
		return System.nanoTime() - startNanos;
	}

	/** Records how the session ended; only the first call counts. */
	synchronized void closed(int code, String initiator) {
		if (closedBy.isEmpty()) {
			closeCode = code;
			closedBy = initiator;
		}
	}

	synchronized int closeCode() {
		return closeCode;
	}

	synchronized String closedBy() {
		return closedBy;
	}

	SessionSummary summary() {
		String host = context.request().getHeaders().getFirst("Host");
		return new SessionSummary(start, context.info().peerIp(), (host != null) ? host : "", context.info().path(),
				context.httpServer(), context.pipeline(), pool, server, subprotocol, status, outcome,
				Duration.ofNanos(elapsedNanos()), up.messages, up.bytes, down.messages, down.bytes, closeCode(), closedBy());
	}
}
