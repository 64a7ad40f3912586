package io.wsgate.status;

/** Told about every finished handshake or session (access log, recent closes). */
@FunctionalInterface
public interface SessionListener {

	void sessionFinished(SessionSummary summary);
}
