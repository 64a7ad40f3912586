package io.wsgate.proxy.frame;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * One side of a relayed session, as the session's bridge drives it once the frame path carries its
 * frames: the client's side is Reactor Netty's server connection, the backend's the gateway's own
 * Netty client connection. Either way the bridge only needs to hear how the side ends and to close it.
 */
public interface RelayEnd {

	/** The side's channel. */
	Channel channel();

	/**
	 * The event loop the side's channel was registered on. It outlives the channel, which no longer
	 * has one once closed and deregistered.
	 */
	EventLoop loop();

	/** Closes the connection, and lets go of what it kept for a relay that never began. */
	void close();

	/**
	 * Hands {@code subscriber} the frames the side read before the frame path was in place (each
	 * released after {@code onNext}), then the end of its inbound, once: complete, or an error.
	 */
	void receive(CoreSubscriber<Object> subscriber);

	/**
	 * The first close status the side sent or received; empty when its connection ended without a
	 * close frame.
	 */
	Mono<WebSocketCloseStatus> receiveCloseStatus();

	/**
	 * Sends the side a close frame, once (a later call sends nothing). Allocates the frame: call it
	 * when subscribing (see {@code WebSocketBridge}).
	 *
	 * @param code the close code; negative for a close frame without one
	 * @param reason the reason; null for none
	 */
	Mono<Void> sendClose(int code, @Nullable String reason);

	/** What a side's close frame says: its code and reason, or {@code EMPTY} for a frame without a code. */
	static WebSocketCloseStatus statusOf(CloseWebSocketFrame close) {
		int code = close.statusCode();
		// Not validated: the decoders checked the code, and 1005/1006 are the bridge's to map.
		return (code == -1) ? WebSocketCloseStatus.EMPTY : new WebSocketCloseStatus(code, close.reasonText(), false);
	}
}
