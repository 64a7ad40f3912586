package io.wsgate.proxy.session;

/** The close codes the gateway itself sends (RFC 6455 7.4.1 and the IANA registry). */
public final class CloseCodes {

	/** The other side of the session went away (client lost, gateway shutting down). */
	public static final int GOING_AWAY = 1001;

	/** Reported (never sent) for a connection lost without a close frame. */
	public static final int ABNORMAL = 1006;

	/** A text message was not valid UTF-8. */
	public static final int INVALID_PAYLOAD = 1007;

	/** A policy said no: a token expired, no valid first message in time, a message rate exceeded. */
	public static final int POLICY_VIOLATION = 1008;

	/** A message exceeded clientMaxMsgSize or serverMaxMsgSize. */
	public static final int MESSAGE_TOO_BIG = 1009;

	/** The gateway failed unexpectedly (a first-message check that errored instead of answering). */
	public static final int INTERNAL_ERROR = 1011;

	/** No server was available for a client already upgraded (a first-message check): try again later. */
	public static final int TRY_AGAIN_LATER = 1013;

	/**
	 * The backend connection was lost without a close frame; or, for a client already upgraded (a
	 * first-message check), no backend could be reached or it refused the handshake.
	 */
	public static final int BAD_GATEWAY = 1014;

	private CloseCodes() {
	}
}
