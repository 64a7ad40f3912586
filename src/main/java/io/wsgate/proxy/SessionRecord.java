package io.wsgate.proxy;

import java.time.Duration;
import java.time.Instant;

import io.wsgate.pipeline.FilterContext;
import io.wsgate.status.SessionSummary;

/**
 * What the proxy learns about one handshake and its session as it goes. Each traffic field is
 * written by one side's forwarder only; the close is recorded once, by whichever side ended first.
 */
final class SessionRecord {

	private final String clientAddress;

	private final String host;

	private final String path;

	private final String httpServer;

	private final String pipeline;

	/** The filter that refused the session: the proxy, or the filter whose first-message check did. */
	volatile String filter;

	private final Instant start;

	private final long startNanos;

	volatile String pool = "";

	volatile String server = "";

	volatile String subprotocol = "";

	volatile int status;

	volatile String outcome = "";

	/**
	 * Why the handshake was refused (the proxy's answer), or why a session upgraded for a
	 * first-message check ended before it relayed; "" for a session that relayed.
	 */
	volatile String reason = "";

	final Traffic up = new Traffic();

	final Traffic down = new Traffic();

	private int closeCode;

	private String closedBy = "";

	/** Copies what the summary needs: a session must not keep its handshake's request alive. */
	SessionRecord(FilterContext context) {
		String hostHeader = context.request().getHeaders().getFirst("Host");
		this.clientAddress = context.info().clientIp();
		this.host = (hostHeader != null) ? hostHeader : "";
		this.path = context.info().path();
		this.httpServer = context.httpServer();
		this.pipeline = context.pipeline();
		this.filter = context.currentFilter();
		// From the request's arrival: the filters before the proxy are part of the handshake.
		this.start = context.start();
		this.startNanos = System.nanoTime() - context.elapsedNanos();
	}

	String clientAddress() {
		return clientAddress;
	}

	String httpServer() {
		return httpServer;
	}

	String pipeline() {
		return pipeline;
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
		return new SessionSummary(start, clientAddress, host, path, httpServer, pipeline, pool, server, subprotocol,
				status, outcome,
				Duration.ofNanos(elapsedNanos()), up.messages, up.bytes, down.messages, down.bytes, closeCode(), closedBy(),
				reason.isEmpty() ? "" : filter, reason);
	}

	/** Releases the session's hold of its pipeline: a reload closes the filters it replaced once nobody holds them. */
	private volatile Runnable pipelineHold = () -> {
	};

	/** The action that releases the session's hold of its pipeline (idempotent). */
	void holdPipeline(Runnable release) {
		this.pipelineHold = release;
	}

	/** Releases the hold: when the session ends, or with the attempt when no session started. */
	void releasePipeline() {
		pipelineHold.run();
	}
}
