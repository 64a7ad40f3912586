package io.wsgate.proxy.dial;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.wsgate.proxy.frame.FramePath;
import io.wsgate.proxy.frame.RelayEnd;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.FutureMono;

/**
 * The gateway's WebSocket connection to a backend, on plain Netty: the last handler of the backend
 * channel. It sends the handshake when the channel is active and checks the answer (Netty's
 * handshaker), then plays for the session's bridge the part Reactor Netty's bridge plays on the
 * client's side: it keeps what the backend sends before the relay begins, answers the backend's
 * close with the same close and closes the connection (as Reactor Netty's client does), and tells the
 * bridge when the backend's side ended.
 *
 * <p>Nothing of the dial stays once the handshake is answered: the handshaker and the listener
 * are let go, and a held session keeps this handler and the channel's frame handlers only.
 */
public final class BackendConnection extends ChannelInboundHandlerAdapter implements RelayEnd, Subscription {

	/** Told how the handshake ended, once. */
	interface HandshakeListener {

		void upgraded(BackendConnection connection, HttpHeaders response, @Nullable String subprotocol);

		void failed(Throwable error);
	}

	/** The handler's name in the backend channel: the frame path's handlers go in front of it. */
	static final String NAME = FramePath.BACKEND_END;

	private static final AtomicIntegerFieldUpdater<BackendConnection> CLOSE_SENT =
			AtomicIntegerFieldUpdater.newUpdater(BackendConnection.class, "closeSent");

	private final Channel channel;

	/** The channel's loop, which outlives its registration. */
	private final EventLoop loop;

	/** Null once the handshake is answered. */
	private @Nullable WebSocketClientHandshaker handshaker;

	/** Null once the handshake is answered. */
	private @Nullable HandshakeListener listener;

	/** The subprotocols offered, comma-separated; null when none. */
	private final @Nullable String offeredSubprotocols;

	/** Frames read before the bridge listens (on the channel's loop); reading is paused while any are held. */
	private @Nullable ArrayDeque<Object> early;

	/** The bridge's side, once it listens; null after it cancelled. */
	private @Nullable CoreSubscriber<Object> receiver;

	/** The inbound ended (the backend's close, an error, the connection gone). */
	private boolean ended;

	private @Nullable Throwable endError;

	/** The first close sent or received; null while none. */
	private volatile @Nullable WebSocketCloseStatus closeStatus;

	private volatile int closeSent;

	BackendConnection(Channel channel, WebSocketClientHandshaker handshaker, HandshakeListener listener,
			@Nullable String offeredSubprotocols) {
		this.channel = channel;
		this.loop = channel.eventLoop();
		this.handshaker = handshaker;
		this.listener = listener;
		this.offeredSubprotocols = offeredSubprotocols;
	}

	@Override
	public Channel channel() {
		return channel;
	}

	@Override
	public EventLoop loop() {
		return loop;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		WebSocketClientHandshaker sending = handshaker;
		if (sending != null) {
			// Written behind TLS, when there is TLS: its handler holds it until its own handshake is done.
			sending.handshake(ctx.channel()).addListener((ChannelFutureListener) written -> {
				if (!written.isSuccess()) {
					handshakeFailed(written.cause());
					ctx.close();
				}
			});
		}
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpResponse response) {
			answered(ctx, response);
			return;
		}
		if (msg instanceof HttpContent) {
			// The handshake answer's (empty) body, or a refusal's body.
			ReferenceCountUtil.release(msg);
			return;
		}
		if (msg instanceof CloseWebSocketFrame close) {
			closed(ctx, close);
			return;
		}
		CoreSubscriber<Object> listening = receiver;
		if (listening != null) {
			try {
				listening.onNext(msg);
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
		}
		else if (ended) {
			ReferenceCountUtil.release(msg);
		}
		else {
			ArrayDeque<Object> held = early;
			if (held == null) {
				held = new ArrayDeque<>(4);
				early = held;
				// Held until the bridge listens: what this read brought, and nothing more.
				ctx.channel().config().setAutoRead(false);
			}
			held.add(msg);
		}
	}

	/** The answer to the handshake: a 101 upgrades the connection; anything else is the backend's refusal. */
	private void answered(ChannelHandlerContext ctx, HttpResponse response) {
		WebSocketClientHandshaker answering = handshaker;
		HandshakeListener told = listener;
		handshaker = null;
		listener = null;
		ReferenceCountUtil.release(response);
		if (answering == null || told == null) {
			return;
		}
		HttpHeaders headers = response.headers();
		if (!response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
			ctx.close();
			told.failed(new WebSocketClientHandshakeException("Invalid handshake response: " + response.status(),
					response));
			return;
		}
		// Netty fails a 101 that selects none of the offered subprotocols, though RFC 6455 lets a
		// server do so and leaves the decision to the client: the real answer is kept, Netty's check
		// satisfied, and the gateway passes the choice on unchanged.
		String selected = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		if (offeredSubprotocols != null && selected == null) {
			headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, offeredSubprotocols.split(",")[0].trim());
		}
		try {
			answering.finishHandshake(ctx.channel(), new DefaultFullHttpResponse(response.protocolVersion(),
					response.status(), Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE));
		}
		catch (RuntimeException ex) {
			ctx.close();
			told.failed(ex);
			return;
		}
		// Reading goes on: a backend rarely speaks before the bridge listens, and pausing for it would
		// cost two epoll_ctl calls on every session. Frames that do come first pause it (channelRead).
		told.upgraded(this, headers, (selected != null) ? selected.trim() : null);
	}

	/**
	 * The backend's close: answered with the same close, when the gateway has sent none, then the
	 * connection is closed (as Reactor Netty's client does); when the gateway sent one, this is its
	 * answer, and the connection is closed at once. The side has ended.
	 */
	private void closed(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
		if (!close.isFinalFragment()) {
			close.release();
			return;
		}
		if (CLOSE_SENT.compareAndSet(this, 0, 1)) {
			closeStatus = RelayEnd.statusOf(close);
			ctx.writeAndFlush(new CloseWebSocketFrame(true, close.rsv(), close.content()))
				.addListener(ChannelFutureListener.CLOSE);
		}
		else {
			close.release();
			ctx.close();
		}
		end(null);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (listener != null) {
			// Only then: an exception (its stack trace) at every session's end cost 1 % of a handshake.
			handshakeFailed(new WebSocketClientHandshakeException(
					"Connection prematurely closed BEFORE opening handshake is complete."));
		}
		end(null);
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		ctx.close();
		if (!handshakeFailed(cause)) {
			end(cause);
		}
	}

	/**
	 * Closes the channel, and lets go of the frames kept for a bridge that never came. Not on the
	 * channel's end: a backend that speaks and closes at once is heard to the end by a session that
	 * relays after that.
	 */
	@Override
	public void close() {
		channel.close();
		if (loop.inEventLoop()) {
			releaseEarly();
			return;
		}
		try {
			loop.execute(this::releaseEarly);
		}
		catch (RejectedExecutionException ex) {
			// The loop is gone: its frames with it.
		}
	}

	/** Fails the handshake, when it is still under way; false when it was answered already. */
	private boolean handshakeFailed(Throwable error) {
		HandshakeListener told = listener;
		if (told == null) {
			return false;
		}
		handshaker = null;
		listener = null;
		told.failed(error);
		return true;
	}

	@Override
	public void receive(CoreSubscriber<Object> subscriber) {
		if (!loop.inEventLoop()) {
			try {
				loop.execute(() -> receive(subscriber));
			}
			catch (RejectedExecutionException ex) {
				// The loop is shutting down, and the connection with it.
				subscriber.onSubscribe(this);
				subscriber.onComplete();
			}
			return;
		}
		receiver = subscriber;
		subscriber.onSubscribe(this);
		if (!ended) {
			// Paused when frames came early. Before the held frames go on: forwarding them may pause
			// reading again (back-pressure).
			channel.config().setAutoRead(true);
		}
		ArrayDeque<Object> held = early;
		early = null;
		if (held != null) {
			for (Object frame : held) {
				try {
					subscriber.onNext(frame);
				}
				finally {
					ReferenceCountUtil.release(frame);
				}
			}
		}
		if (ended) {
			signalEnd(subscriber);
		}
	}

	@Override
	public Mono<WebSocketCloseStatus> receiveCloseStatus() {
		return Mono.justOrEmpty(closeStatus);
	}

	@Override
	public Mono<Void> sendClose(int code, @Nullable String reason) {
		// A closed channel has nothing to say it to (and, deregistered, would not even release the frame).
		if (!channel.isActive() || !CLOSE_SENT.compareAndSet(this, 0, 1)) {
			return Mono.empty();
		}
		CloseWebSocketFrame frame = (code < 0) ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, reason);
		closeStatus = RelayEnd.statusOf(frame);
		// Open until the backend answers (closed above), as RFC 6455 has a client wait for the
		// server; the bridge drops a backend that does not answer within its grace period.
		return FutureMono.from(channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE_ON_FAILURE));
	}

	/** The bridge asks for all of it: frames before the relay are few. */
	@Override
	public void request(long n) {
	}

	/** The bridge stopped listening. */
	@Override
	public void cancel() {
		if (loop.inEventLoop()) {
			receiver = null;
		}
		else {
			loop.execute(() -> receiver = null);
		}
	}

	private void end(@Nullable Throwable error) {
		if (ended) {
			return;
		}
		ended = true;
		endError = error;
		CoreSubscriber<Object> listening = receiver;
		if (listening != null) {
			signalEnd(listening);
		}
	}

	private void signalEnd(CoreSubscriber<Object> subscriber) {
		receiver = null;
		Throwable error = endError;
		if (error != null) {
			subscriber.onError(error);
		}
		else {
			subscriber.onComplete();
		}
	}

	private void releaseEarly() {
		ArrayDeque<Object> held = early;
		early = null;
		if (held != null) {
			held.forEach(ReferenceCountUtil::release);
		}
	}
}
