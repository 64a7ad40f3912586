package io.wsgate.metrics;

/**
 * How a handshake that reached a WebSocketProxy ended: the {@code outcome} tag of
 * {@code wsgate.sessions}, the access log's {@code outcome} and the tracing span's.
 */
public enum HandshakeOutcome implements TagValue {

	/** Upgraded: the session runs. */
	UPGRADED,

	/** Not a valid WebSocket handshake, or an Origin that is not allowed (4xx). */
	REJECTED,

	/** Over a session limit: the gateway's, the pool's (503) or the client address's (429). */
	OVER_LIMIT,

	/** The backend answered its handshake with an HTTP status, relayed to the client. */
	BACKEND_REFUSED,

	/** No server of the pool is available (503). */
	BACKEND_UNAVAILABLE,

	/** No server of the pool could be reached (502). */
	BACKEND_UNREACHABLE,

	/**
	 * Upgraded for a first-message check, then closed without a valid first message: late (1008),
	 * refused (1008), binary (1008), too big (1009), or the client left first.
	 */
	FIRST_MESSAGE_REJECTED;

	private final String tag = TagValue.super.tag();

	/** The value as tags and logs show it, e.g. {@code backend_refused}. */
	@Override
	public String tag() {
		return tag;
	}
}
