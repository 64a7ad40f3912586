package io.wsgate.proxy.frame;

import java.util.Objects;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;

/**
 * Forwards what one side sends straight to the other side's channel, on the event loop: a frame
 * read is written to the peer at once; the peer is flushed, and the side reported heard, when the
 * read batch ends. No Reactor operator or queue sits on this path.
 *
 * <p>At first the frames come decoded by Netty (and checked by {@link DecodedFrameCheck}). After the
 * first whole message (or control frame), Netty's decoder and that check give way to a
 * {@link RawFrameReader} ({@link FramePath#readRawFromNowOn}), which relays the frames as the bytes
 * they arrived in and asks this forwarder about each one ({@link #admit}). The swap happens there
 * because, as it hands over a frame, Netty's decoder stands exactly between two frames, and the
 * bytes it buffered go to the reader.
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
 * <p>What ends the session is reported to the session's {@link FrameEvents} (a message over the size
 * limit, a {@code close} rate exceeded, a protocol error found by the decoders before it) and the
 * client's close frame, which it holds from Reactor Netty until the session answers it
 * ({@link #answerHeldClose}); the backend's close frames go on to its end, where the session sees them.
 */
public final class FrameForwarder extends ChannelInboundHandlerAdapter implements RawFrameReader.Sink {

	private final Channel fromChannel;

	private final Channel peerChannel;

	private final FrameEvents events;

	private final FrameCounter counter;

	private final MessageSizeLimit limit;

	/** The client's message rates; null when it has none (always for the backend): the message path then checks nothing. */
	private final @Nullable MessageRateLimit messageRate;

	/**
	 * This side is the client: its frames must be masked, and its close frame is reported to the
	 * session ({@link FrameEvents#closeHeard}) and held from Reactor Netty.
	 */
	private final boolean fromClient;

	/** permessage-deflate was negotiated: for the {@link RawFrameReader}. */
	private final boolean deflate;

	/** The other direction's forwarder: set by {@link #pair} before either side reads. */
	private @Nullable FrameForwarder peer;

	/** Reading stopped for the message rate: draining the peer must not resume it. */
	private volatile boolean ratePaused;

	/** Frames were written to the peer since its last flush. */
	private boolean peerNeedsFlush;

	/** The session is ending for something this side did: nothing more is forwarded. */
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
	private @Nullable ChannelHandlerContext frameEncoder;

	/** The client's close frame, held from Reactor Netty until it may answer it; null when none. */
	private @Nullable CloseWebSocketFrame heldClose;

	private @Nullable ChannelHandlerContext heldCloseContext;

	/**
	 * @param from the channel this forwarder reads
	 * @param to the channel it writes to
	 * @param events the session, told what ends it
	 * @param counter counts what this side sends
	 * @param maxMessageSize the limit on this side's messages (-1 = unlimited)
	 * @param fromClient whether this side is the client (its frames are masked, its close is the session's)
	 * @param deflate whether permessage-deflate was negotiated
	 * @param messageRate this side's message rates, null when it has none
	 */
	FrameForwarder(Channel from, Channel to, FrameEvents events, FrameCounter counter, long maxMessageSize,
			boolean fromClient, boolean deflate, @Nullable MessageRateLimit messageRate) {
		this.fromChannel = from;
		this.peerChannel = to;
		this.events = events;
		this.counter = counter;
		this.limit = new MessageSizeLimit(maxMessageSize);
		this.fromClient = fromClient;
		this.deflate = deflate;
		this.messageRate = messageRate;
	}

	/** Pairs the forwarders of a session's two directions, once both are in their pipelines. */
	static void pair(FrameForwarder up, FrameForwarder down, @Nullable ChannelHandlerContext clientEncoder,
			@Nullable ChannelHandlerContext backendEncoder) {
		up.peer = down;
		down.peer = up;
		up.frameEncoder = clientEncoder;
		down.frameEncoder = backendEncoder;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof WebSocketFrame frame && !(msg instanceof CloseWebSocketFrame)) {
			// Only Netty's decoder hands over frame objects here, and it stands between two frames.
			forward(frame);
			if (!raw && !midMessage) {
				raw = true;
				if (!stopped && fromChannel.isActive()) {
					FramePath.readRawFromNowOn(ctx.pipeline(), new RawFrameReader(this, fromClient,
							MessageSizeLimit.frameLimit(limit.limit()), deflate));
				}
			}
		}
		else if (fromClient && !stopped && msg instanceof CloseWebSocketFrame close && close.isFinalFragment()) {
			// Held from Reactor Netty, which would answer it at once: it is answered once the backend
			// answered it, and a client that closes its connection right after it, as many do, is
			// written nothing more.
			stopped = true;
			heldClose = close;
			heldCloseContext = ctx;
			events.closeHeard(RelayEnd.statusOf(close));
		}
		else {
			ctx.fireChannelRead(msg);
		}
	}

	/**
	 * Answers the client's close, if it is held: Reactor Netty gets it now and answers it with the
	 * same close, then disconnects the client, as it does with a close it reads. On the client's loop.
	 *
	 * @return false when no close is held (the caller sends its own)
	 */
	public boolean answerHeldClose() {
		CloseWebSocketFrame held = heldClose;
		ChannelHandlerContext context = heldCloseContext;
		if (held == null || context == null) {
			return false;
		}
		heldClose = null;
		heldCloseContext = null;
		context.fireChannelRead(held);
		return true;
	}

	/**
	 * The client left with its close still held: Reactor Netty sees the close before the end of the
	 * connection, as it would have, so it ends its side as closed rather than aborted (no exception).
	 */
	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		answerHeldClose();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		CloseWebSocketFrame held = heldClose;
		heldClose = null;
		if (held != null) {
			held.release();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		endBatch();
		ctx.fireChannelReadComplete();
	}

	/**
	 * A decoder before this handler found a protocol error: it has sent this side its close and
	 * disconnects it. The session hears of it here, not as an inbound error.
	 */
	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof CorruptedWebSocketFrameException corrupted) {
			stopped = true;
			events.protocolError(corrupted.closeStatus().code());
		}
		else {
			ctx.fireExceptionCaught(cause);
		}
	}

	/** This side drained below the low-water mark: the peer, which writes here, may read again. */
	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			peer().resumeAfterDrain();
		}
		ctx.fireChannelWritabilityChanged();
	}

	/**
	 * Forwards a frame that reached Reactor Netty before this forwarder was in place (read between the
	 * handshake and the start of the relay); the caller hands over one reference.
	 */
	public void forwardEarly(WebSocketFrame frame) {
		forward(frame);
		endBatch();
	}

	/**
	 * Decides on one frame of {@code size} payload bytes: counts it, holds its message to the limit,
	 * and returns whether to forward it. Not forwarded: the answers to the gateway's own pings, frames
	 * for a peer that is gone (its own end closes this side), and anything after the session began to
	 * end for something this side did.
	 */
	@Override
	public boolean admit(int opcode, boolean fin, long size, boolean keepaliveEcho) {
		if (stopped) {
			return false;
		}
		if (!limit.admits(opcode, size)) {
			stopped = true;
			events.messageTooBig(limit.limit());
			return false;
		}
		heard = true;
		if (keepaliveEcho || !peerChannel.isActive()) {
			return false;
		}
		counter.count(opcode, size);
		messageEnded |= fin && Opcodes.isData(opcode);
		return true;
	}

	/**
	 * Takes a token of the client's message rate for a message that starts now: 0 to go on, else the
	 * nanoseconds until one is due. A {@code close} rate exceeded ends the session instead, and
	 * nothing more is forwarded.
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
				events.messageRateExceeded(messageRate.exceededBy());
			}
			return 0;
		}
		return delay;
	}

	@Override
	public void pauseReading() {
		ratePaused = true;
		events.held(true);
		fromChannel.config().setAutoRead(false);
	}

	@Override
	public void resumeReading() {
		ratePaused = false;
		events.held(false);
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
		ChannelHandlerContext encoder = peer().frameEncoder;
		write(frames, (encoder != null && !encoder.isRemoved()) ? encoder : null);
	}

	private FrameForwarder peer() {
		return Objects.requireNonNull(peer, "forwarder not paired");
	}

	/** The peer drained: read this side again, unless it is held for its message rate. */
	private void resumeAfterDrain() {
		if (!ratePaused) {
			fromChannel.config().setAutoRead(true);
		}
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
				&& Keepalive.isEcho(content, content.readerIndex(), content.readableBytes(), 0);
		if (admit(opcode, frame.isFinalFragment(), content.readableBytes(), keepaliveEcho)) {
			write(frame, null);
		}
		else {
			frame.release();
		}
	}

	/** Writes to the peer from its pipeline's tail, or in front of {@code from} when given. */
	private void write(Object frames, @Nullable ChannelHandlerContext from) {
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

	/** What is done once per read batch, not per frame: flush the peer, report the side heard. */
	private void endBatch() {
		if (peerNeedsFlush) {
			peerNeedsFlush = false;
			peerChannel.flush();
		}
		if (heard) {
			events.heard(messageEnded);
			heard = false;
			messageEnded = false;
		}
	}
}
