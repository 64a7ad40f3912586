package io.wsgate.proxy.frame;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * What the frame path tells the session about one side. The frame path decides nothing about the
 * session's life: it forwards, counts and checks frames, and reports here; the session decides how
 * it ends and sends the closes. Called on the side's event loop.
 */
public interface FrameEvents {

	/**
	 * Frames were read from the side in this read batch: it is alive; {@code messageEnded} when a
	 * data message ended in it, so the session is not idle. Once per read batch, not per frame.
	 */
	void heard(boolean messageEnded);

	/**
	 * Reading from the side stopped ({@code true}) or resumed for its message rate: while held it is
	 * not silent (what it sent waits in the gateway) and cannot answer a ping.
	 */
	void held(boolean held);

	/** A message from the side went over its size limit; nothing more of the side is forwarded. */
	void messageTooBig(long limit);

	/** The side's message rate of {@code filter}, with action {@code close}, was exceeded; nothing more is forwarded. */
	void messageRateExceeded(String filter);

	/**
	 * The side broke the protocol: it has been sent a close frame with {@code code} (1002, 1007 or
	 * 1009) and is being disconnected, as Netty's decoder does it.
	 */
	void protocolError(int code);

	/**
	 * The client sent its close frame. It is the session's to forward and to answer: the forwarder
	 * holds the frame from Reactor Netty, which would answer it at once, until the session answers
	 * it ({@link FrameForwarder#answerHeldClose}). The backend's close goes on to its end, which
	 * answers it.
	 */
	void closeHeard(WebSocketCloseStatus status);
}
