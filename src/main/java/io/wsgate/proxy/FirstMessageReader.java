package io.wsgate.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.wsgate.metrics.CloseInitiator;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.proxy.frame.FrameForwarder;
import io.wsgate.proxy.session.CloseCodes;
import io.wsgate.proxy.session.ProxySession;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Reads the client's first message, for a first-message check, in the client's pipeline after
 * Netty's decoder and the {@link DecodedFrameCheck} (so reserved bits, UTF-8 and the frame size are
 * already checked). It assembles the message's fragments, answers pings meanwhile (there is no
 * backend yet to answer them), and refuses a binary first message (1008) or one over its size
 * (1009). Once the message is whole, reading stops and every frame the decoder still hands over is
 * held, in order, for the bridge: {@link #handOver} gives them to it, and reading resumes.
 *
 * <p>Runs on the client's event loop, like everything that calls it.
 */
final class FirstMessageReader extends ChannelInboundHandlerAdapter {

	/** A first message carries a token, not a payload: never more than this is read. */
	static final int MAX_SIZE = 64 * 1024;

	/**
	 * Why the session ends before it relays: the close code and reason the client gets, who closed
	 * first, the outcome to count, and whether the check (rather than the proxy) refused it.
	 */
	static final class Failure extends RuntimeException {

		final int code;

		final String reason;

		final String initiator;

		final HandshakeOutcome outcome;

		/** The client has closed already: nothing is sent to it. */
		final boolean clientClosed;

		Failure(int code, String reason, String initiator, HandshakeOutcome outcome, boolean clientClosed) {
			super(reason, null, false, false);
			this.code = code;
			this.reason = reason;
			this.initiator = initiator;
			this.outcome = outcome;
			this.clientClosed = clientClosed;
		}

		/** The gateway refuses the first message. */
		static Failure rejected(int code, String reason) {
			return new Failure(code, reason, ProxySession.GATEWAY, HandshakeOutcome.FIRST_MESSAGE_REJECTED, false);
		}

		/** The gateway closes the client because of the backend. */
		static Failure backend(int code, String reason, HandshakeOutcome outcome) {
			return new Failure(code, reason, ProxySession.GATEWAY, outcome, false);
		}

		/** The client closed or left before its first message was accepted. */
		static Failure clientGone(int code, String reason) {
			return new Failure(code, reason, CloseInitiator.CLIENT.tag(), HandshakeOutcome.FIRST_MESSAGE_REJECTED, true);
		}
	}

	private final long maxSize;

	private final Sinks.One<String> message = Sinks.one();

	private final ByteArrayOutputStream assembled = new ByteArrayOutputStream();

	/** Frames read after the first message, for the bridge. */
	private final Queue<Object> held = new ArrayDeque<>();

	/** Its place in the client's pipeline, from {@link #handlerAdded}. */
	private @Nullable ChannelHandlerContext ctx;

	/** The first message is under way (its first frame was read). */
	private boolean assembling;

	/** The first message is whole: whatever follows is held. */
	private boolean complete;

	/** The session ends without relaying: whatever follows is dropped. */
	private boolean failed;

	/** @param maxSize the largest first message accepted, in bytes */
	FirstMessageReader(long maxSize) {
		this.maxSize = maxSize;
	}

	/** The text of the first message, or a {@link Failure}; signalled on the client's event loop. */
	Mono<String> message() {
		return message.asMono();
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		Object frame;
		while ((frame = held.poll()) != null) {
			ReferenceCountUtil.release(frame);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (complete) {
			held.add(msg);
			return;
		}
		if (!(msg instanceof WebSocketFrame frame)) {
			ctx.fireChannelRead(msg);
			return;
		}
		if (frame instanceof CloseWebSocketFrame close) {
			int code = close.statusCode();
			fail(Failure.clientGone((code > 0) ? code : 1005, "client closed before its first message"));
			// Reactor Netty answers the close and ends the connection.
			ctx.fireChannelRead(frame);
			return;
		}
		try {
			if (!failed) {
				read(ctx, frame);
			}
		}
		finally {
			frame.release();
		}
	}

	private void read(ChannelHandlerContext ctx, WebSocketFrame frame) {
		if (frame instanceof PingWebSocketFrame) {
			ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
			return;
		}
		if (frame instanceof PongWebSocketFrame) {
			return;
		}
		if (frame instanceof BinaryWebSocketFrame || (!assembling && frame instanceof ContinuationWebSocketFrame)) {
			fail(Failure.rejected(CloseCodes.POLICY_VIOLATION, "first message must be text"));
			return;
		}
		assembling = true;
		ByteBuf content = frame.content();
		if (assembled.size() + (long) content.readableBytes() > maxSize) {
			fail(Failure.rejected(CloseCodes.MESSAGE_TOO_BIG, "first message too big"));
			return;
		}
		assembled.writeBytes(ByteBufUtil.getBytes(content));
		if (frame.isFinalFragment()) {
			complete = true;
			ctx.channel().config().setAutoRead(false);
			String text = assembled.toString(StandardCharsets.UTF_8);
			assembled.reset();
			// After this read batch: the frames the decoder still has are held before the check runs.
			ctx.executor().execute(() -> message.tryEmitValue(text));
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		fail(Failure.clientGone(CloseCodes.ABNORMAL, "client left before its first message"));
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof CorruptedWebSocketFrameException corrupted) {
			// Netty's decoder (or the DecodedFrameCheck) closed the client with this code already.
			int code = corrupted.closeStatus().code();
			fail(new Failure(code, "client protocol error before its first message", ProxySession.GATEWAY,
					HandshakeOutcome.FIRST_MESSAGE_REJECTED, true));
			return;
		}
		ctx.fireExceptionCaught(cause);
	}

	/**
	 * Hands the held frames to the bridge, leaves the pipeline and resumes reading. Called on the event
	 * loop once the bridge's forwarders are in place and before it subscribes, in the same task, so no
	 * read comes in between. The frames before a close go to the client's forwarder as frames read
	 * before it started ({@link FrameForwarder#forwardEarly}), in order; a close, and anything after
	 * it, goes on to Reactor Netty, where the bridge sees the client end after those frames. (Given to
	 * Reactor Netty with a close behind them, data frames would be dropped with its inbound.)
	 */
	void handOver() {
		ChannelHandlerContext ctx = context();
		if (ctx.isRemoved()) {
			// The client's connection is gone (what was held went with it): the bridge ends at once.
			return;
		}
		Channel channel = ctx.channel();
		channel.config().setAutoRead(true);
		FrameForwarder forwarder = ctx.pipeline().get(FrameForwarder.class);
		boolean closed = false;
		Object frame;
		while ((frame = held.poll()) != null) {
			closed |= frame instanceof CloseWebSocketFrame || !(frame instanceof WebSocketFrame) || forwarder == null;
			if (closed) {
				ctx.fireChannelRead(frame);
			}
			else {
				forwarder.forwardEarly((WebSocketFrame) frame);
			}
		}
		ctx.pipeline().remove(this);
	}

	/** Drops what is held and leaves the pipeline: the session ends without relaying. */
	void discard() {
		failed = true;
		leave();
	}

	private void leave() {
		ChannelHandlerContext ctx = context();
		if (!ctx.isRemoved()) {
			ctx.pipeline().remove(this);
		}
		ctx.channel().config().setAutoRead(true);
	}

	private ChannelHandlerContext context() {
		return Objects.requireNonNull(ctx, "not in a pipeline");
	}

	private void fail(Failure failure) {
		if (!failed) {
			failed = true;
			message.tryEmitError(failure);
		}
	}
}
