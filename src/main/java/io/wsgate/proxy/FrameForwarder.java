package io.wsgate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.proxy.MessageSizeLimit.MessageTooBigException;

/**
 * Forwards the frames one side sends straight to the other side's channel, on the event loop: a
 * frame read is written to the peer at once; the peer is flushed, and the session's clocks are
 * stamped, when the read batch ends. No Reactor operator, queue or copy sits on this path; the
 * frame's buffer goes to the peer as it is.
 *
 * <p>Demand flows end to end: when the peer's write buffer is over Netty's high-water mark, reading
 * from this side pauses until the peer has drained, so the gateway never holds more than a write
 * buffer per direction.
 *
 * <p>Close frames and errors go on to Reactor Netty, where the bridge ends the session; a message
 * over the size limit is raised there as a {@link MessageTooBigException}.
 */
final class FrameForwarder extends ChannelInboundHandlerAdapter {

	/** The handler name in each side's pipeline, after the UTF-8 check and before Reactor Netty's bridge. */
	static final String NAME = "wsgate.frameForwarder";

	private final WebSocketBridge bridge;

	private final WebSocketBridge.Side from;

	private final Channel fromChannel;

	private final Channel peerChannel;

	private final MessageSizeLimit limit;

	private FrameForwarder peer;

	/** Frames were written to the peer since its last flush. */
	private boolean peerNeedsFlush;

	/** A message went over the limit: nothing more is forwarded. */
	private boolean stopped;

	/** Frames were read in this batch: this side is alive. */
	private boolean heard;

	/** A message ended in this batch: the session is not idle. */
	private boolean messageEnded;

	private FrameForwarder(WebSocketBridge bridge, WebSocketBridge.Side from, WebSocketBridge.Side to) {
		this.bridge = bridge;
		this.from = from;
		this.fromChannel = from.connection().channel();
		this.peerChannel = to.connection().channel();
		this.limit = new MessageSizeLimit(from.maxMessageSize());
	}

	/** Puts a forwarder in each side's pipeline, one per direction. */
	static FrameForwarder[] install(WebSocketBridge bridge, WebSocketBridge.Side client, WebSocketBridge.Side backend) {
		FrameForwarder up = new FrameForwarder(bridge, client, backend);
		FrameForwarder down = new FrameForwarder(bridge, backend, client);
		up.peer = down;
		down.peer = up;
		client.connection().addHandlerLast(NAME, up);
		backend.connection().addHandlerLast(NAME, down);
		return new FrameForwarder[] { up, down };
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof WebSocketFrame frame && !(msg instanceof CloseWebSocketFrame)) {
			forward(frame);
		}
		else {
			ctx.fireChannelRead(msg);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		endBatch();
		ctx.fireChannelReadComplete();
	}

	/** This side drained below the low-water mark: the peer, which writes here, may read again. */
	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			peer.fromChannel.config().setAutoRead(true);
		}
		ctx.fireChannelWritabilityChanged();
	}

	/**
	 * Forwards a frame that reached Reactor Netty before this forwarder was in place (read between the
	 * handshake and the start of the relay); the caller hands over one reference.
	 */
	void forwardEarly(WebSocketFrame frame) {
		forward(frame);
		endBatch();
	}

	private void forward(WebSocketFrame frame) {
		if (stopped) {
			frame.release();
			return;
		}
		try {
			limit.check(frame);
		}
		catch (MessageTooBigException ex) {
			stopped = true;
			frame.release();
			// Reactor Netty hands the error to the bridge, which closes with 1009 and 1001.
			fromChannel.pipeline().fireExceptionCaught(ex);
			return;
		}
		heard = true;
		if (!peerChannel.isActive() || !bridge.forwards(from, frame)) {
			// The peer is gone (its own end of the bridge closes this side), or the frame answers one
			// of the gateway's pings.
			frame.release();
			return;
		}
		messageEnded |= WebSocketBridge.endsMessage(frame);
		// The channel's void promise (no allocation; Netty's encoder has a fast path for it). A write
		// that fails all the same ends up as an error on the peer's side, which is ending anyway.
		peerChannel.write(frame, peerChannel.voidPromise());
		peerNeedsFlush = true;
		if (!peerChannel.isWritable()) {
			fromChannel.config().setAutoRead(false);
			// The peer may have drained meanwhile on its own event loop: never stay paused for nothing.
			if (peerChannel.isWritable()) {
				fromChannel.config().setAutoRead(true);
			}
		}
	}

	/** What is done once per read batch, not per frame: flush the peer, stamp the timers. */
	private void endBatch() {
		if (peerNeedsFlush) {
			peerNeedsFlush = false;
			peerChannel.flush();
		}
		if (heard) {
			bridge.heard(from, messageEnded);
			heard = false;
			messageEnded = false;
		}
	}
}
