package io.wsgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.wsgate.proxy.MessageRateLimit.MessageRateExceededException;
import io.wsgate.proxy.MessageSizeLimit.MessageTooBigException;

/**
 * Forwards what one side sends straight to the other side's channel, on the event loop: a frame
 * read is written to the peer at once; the peer is flushed, and the session's clocks are stamped,
 * when the read batch ends. No Reactor operator or queue sits on this path.
 *
 * <p>At first the frames come decoded by Netty (and checked by {@link DecodedFrameCheck}). After the
 * first whole message (or control frame), Netty's decoder and that check give way to a
 * {@link RawFrameReader}, which relays the frames as the bytes they arrived in and asks this
 * forwarder about each one ({@link #admit}). The swap happens there because, as it hands over a
 * frame, Netty's decoder stands exactly between two frames, and the bytes it buffered go to the
 * reader.
 *
 * <p>Demand flows end to end: when the peer's write buffer is over Netty's high-water mark, reading
 * from this side pauses until the peer has drained, so the gateway never holds more than a write
 * buffer per direction.
 *
 * <p>A client message rate set by a RateLimiter ({@link MessageRateLimit}) is asked at the first
 * frame of each message the raw reader reads: {@code pause} holds the message in the reader and
 * stops reading until it is due (the back-pressure above never resumes reading meanwhile);
 * {@code close} ends the session. The first message, which Netty decodes, always passes: the
 * buckets start full.
 *
 * <p>Close frames and errors go on to Reactor Netty, where the bridge ends the session; a message
 * over the size limit is raised there as a {@link MessageTooBigException}, one over a {@code close}
 * rate as a {@link MessageRateExceededException}.
 */
final class FrameForwarder extends ChannelInboundHandlerAdapter implements RawFrameReader.Sink {

	/** The handler name in each side's pipeline, after the frame check and before Reactor Netty's bridge. */
	static final String NAME = "wsgate.frameForwarder";

	private final WebSocketBridge bridge;

	private final WebSocketBridge.Side from;

	private final Channel fromChannel;

	private final Channel peerChannel;

	private final MessageSizeLimit limit;

	/** The client's message rates, or null (always for the backend): then the message path checks nothing. */
	private final MessageRateLimit messageRate;

	/** Reading stopped for the message rate: draining the peer must not resume it. */
	private volatile boolean ratePaused;

	/** This side's frames must be masked (it is the client). */
	private final boolean masked;

	/** permessage-deflate was negotiated: for the {@link RawFrameReader}. */
	private final boolean deflate;

	private FrameForwarder peer;

	/** Frames were written to the peer since its last flush. */
	private boolean peerNeedsFlush;

	/** A message went over the limit: nothing more is forwarded. */
	private boolean stopped;

	/** Frames were read in this batch: this side is alive. */
	private boolean heard;

	/** A message ended in this batch: the session is not idle. */
	private boolean messageEnded;

	/** A fragmented message is under way: Netty's decoder stays until it ends. */
	private boolean midMessage;

	/** The raw reader replaced Netty's decoder (or this side ended before it could). */
	private boolean raw;

	/** This side's frame encoder nearest the network, where the other side's raw frames come in. */
	private ChannelHandlerContext frameEncoder;

	private FrameForwarder(WebSocketBridge bridge, WebSocketBridge.Side from, WebSocketBridge.Side to, boolean masked,
			boolean deflate, MessageRateLimit messageRate) {
		this.bridge = bridge;
		this.from = from;
		this.fromChannel = from.connection().channel();
		this.peerChannel = to.connection().channel();
		this.limit = new MessageSizeLimit(from.maxMessageSize());
		this.messageRate = messageRate;
		this.masked = masked;
		this.deflate = deflate;
	}

	/**
	 * Puts a forwarder in each side's pipeline, one per direction.
	 *
	 * @param clientRate the client's message rates, or null
	 */
	static FrameForwarder[] install(WebSocketBridge bridge, WebSocketBridge.Side client, WebSocketBridge.Side backend,
			boolean deflate, MessageRateLimit clientRate) {
		FrameForwarder up = new FrameForwarder(bridge, client, backend, true, deflate, clientRate);
		FrameForwarder down = new FrameForwarder(bridge, backend, client, false, deflate, null);
		up.peer = down;
		down.peer = up;
		client.connection().addHandlerLast(NAME, up);
		backend.connection().addHandlerLast(NAME, down);
		up.frameEncoder = client.connection().channel().pipeline().context(WebSocketFrameEncoder.class);
		down.frameEncoder = backend.connection().channel().pipeline().context(WebSocketFrameEncoder.class);
		return new FrameForwarder[] { up, down };
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof WebSocketFrame frame && !(msg instanceof CloseWebSocketFrame)) {
			// Only Netty's decoder hands over frame objects here, and it stands between two frames.
			forward(frame);
			if (!raw && !midMessage) {
				readRawFromNowOn(ctx.pipeline());
			}
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
		if (ctx.channel().isWritable() && !peer.ratePaused) {
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

	/**
	 * Decides on one frame of {@code size} payload bytes: counts it, holds its message to the limit,
	 * and returns whether to forward it. Not forwarded: the answers to the gateway's own pings, frames
	 * for a peer that is gone (its own end of the bridge closes this side), and anything after a
	 * message over the limit.
	 */
	@Override
	public boolean admit(int opcode, boolean fin, long size, boolean keepaliveEcho) {
		if (stopped) {
			return false;
		}
		if (!limit.admits(opcode, size)) {
			stopped = true;
			// Reactor Netty hands the error to the bridge, which closes with 1009 and 1001.
			fromChannel.pipeline().fireExceptionCaught(new MessageTooBigException(limit.limit()));
			return false;
		}
		heard = true;
		if (keepaliveEcho || !peerChannel.isActive()) {
			return false;
		}
		from.traffic().count(opcode, size);
		messageEnded |= fin && Opcodes.isData(opcode);
		return true;
	}

	/**
	 * Takes a token of the client's message rate for a message that starts now: 0 to go on, else the
	 * nanoseconds until one is due. A {@code close} rate exceeded ends the session instead (1008),
	 * and nothing more is forwarded.
	 */
	@Override
	public long messageDelay() {
		if (messageRate == null) {
			return 0;
		}
		long delay = messageRate.take(System.nanoTime());
		if (delay == MessageRateLimit.CLOSE) {
			if (!stopped) {
				stopped = true;
				// Reactor Netty hands the error to the bridge, which closes with 1008 and 1001.
				fromChannel.pipeline().fireExceptionCaught(new MessageRateExceededException(messageRate.exceededBy()));
			}
			return 0;
		}
		return delay;
	}

	@Override
	public void pauseReading() {
		ratePaused = true;
		from.liveness().held = true;
		fromChannel.config().setAutoRead(false);
	}

	@Override
	public void resumeReading() {
		ratePaused = false;
		from.liveness().held = false;
		from.liveness().lastFrame = System.nanoTime();
		// Still paused for back-pressure when the peer cannot take more: its draining resumes it.
		if (peerChannel.isWritable()) {
			fromChannel.config().setAutoRead(true);
		}
	}

	/**
	 * Writes whole frames, as read by the {@link RawFrameReader}, to the peer; takes the reference.
	 * They are bytes already: they enter the peer's pipeline in front of its frame encoders, which
	 * would only pass them on, and still go through what lies before them (TLS).
	 */
	@Override
	public void relay(ByteBuf frames) {
		ChannelHandlerContext encoder = peer.frameEncoder;
		write(frames, (encoder != null && !encoder.isRemoved()) ? encoder : null);
	}

	private void forward(WebSocketFrame frame) {
		int opcode = Opcodes.of(frame);
		ByteBuf content = frame.content();
		if (Opcodes.isData(opcode)) {
			midMessage = !frame.isFinalFragment();
			if (opcode != Opcodes.CONTINUATION) {
				// Decoded frames cannot be held: a rate only counts them (they come first, the buckets are full).
				messageDelay();
			}
		}
		boolean keepaliveEcho = opcode == Opcodes.PONG
				&& WebSocketBridge.isKeepaliveEcho(content, content.readerIndex(), content.readableBytes(), 0);
		if (admit(opcode, frame.isFinalFragment(), content.readableBytes(), keepaliveEcho)) {
			write(frame, null);
		}
		else {
			frame.release();
		}
	}

	/** Writes to the peer from its pipeline's tail, or in front of {@code from} when given. */
	private void write(Object frames, ChannelHandlerContext from) {
		// The channel's void promise (no allocation; Netty's encoder has a fast path for it). A write
		// that fails all the same ends up as an error on the peer's side, which is ending anyway.
		if (from != null) {
			from.write(frames, peerChannel.voidPromise());
		}
		else {
			peerChannel.write(frames, peerChannel.voidPromise());
		}
		peerNeedsFlush = true;
		if (!peerChannel.isWritable()) {
			fromChannel.config().setAutoRead(false);
			// The peer may have drained meanwhile on its own event loop: never stay paused for nothing.
			if (peerChannel.isWritable() && !ratePaused) {
				fromChannel.config().setAutoRead(true);
			}
		}
	}

	/**
	 * Replaces Netty's frame decoder with a {@link RawFrameReader}, and drops the
	 * {@link DecodedFrameCheck}, whose checks the reader makes. Called as the decoder hands over a
	 * frame that leaves no message open: the decoder is between two frames, and what it buffered of
	 * the next ones goes to the reader when it is removed.
	 */
	private void readRawFromNowOn(ChannelPipeline pipeline) {
		raw = true;
		ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
		if (decoder == null || stopped || !fromChannel.isActive()) {
			return;
		}
		if (pipeline.get(DecodedFrameCheck.NAME) != null) {
			pipeline.remove(DecodedFrameCheck.NAME);
		}
		pipeline.replace(decoder.handler(), RawFrameReader.NAME,
				new RawFrameReader(this, masked, MessageSizeLimit.frameLimit(limit.limit()), deflate));
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
