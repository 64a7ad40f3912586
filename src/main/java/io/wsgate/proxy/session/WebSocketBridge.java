package io.wsgate.proxy.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.config.PoolSpec;
import io.wsgate.metrics.CloseInitiator;
import io.wsgate.proxy.dial.LoopTimeout;
import io.wsgate.proxy.frame.FrameEvents;
import io.wsgate.proxy.frame.FramePath;
import io.wsgate.proxy.frame.FrameForwarder;
import io.wsgate.proxy.frame.Keepalive;
import io.wsgate.proxy.frame.MessageRateLimit;
import io.wsgate.proxy.frame.RelayEnd;
import io.wsgate.proxy.session.ProxySession.SessionPolicy;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.FutureMono;

/**
 * Relays frames between the client and the backend of one session, unchanged (fragments, pings
 * and pongs included), with demand flowing end to end. The frames go through the frame path
 * ({@link FramePath}: a {@link FrameForwarder} on each side), which reports to this bridge what ends
 * the session ({@link FrameEvents}); the bridge decides how it ends, sends the closes, and runs the
 * session's timers. Its {@link ProxySession} learns how it ended.
 *
 * <p>When one side ends, the other is closed with the same code and reason; a side lost without a
 * close frame is reported as 1001 (client lost) or 1014 (backend lost). When the gateway ends the
 * session itself it tells each side (and then forwards neither side's close): a message over the
 * limit gets 1009 to its sender and 1001 to the other side; a client over a {@code close} message
 * rate 1008 and the backend 1001; a protocol error its close from the decoder and the other side
 * 1001; a token expiry 1008 to the client and 1001 to the backend. The gateway pings a side that has
 * been silent for {@code pingInterval} and drops it when it stays silent {@code pingTimeout} longer,
 * closes both sides with 1001 after {@code idleTimeout} without a message, and on shutdown.
 */
final class WebSocketBridge implements Disposable {

	/** How long a side may take to close after the session ended before its connection is dropped. */
	static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

	/**
	 * One end of the session: what the frame path reports about it (written by its forwarder, on its
	 * event loop, and read by the timer), and the one subscriber of its inbound, which waits for its
	 * end. While the session is held, the two sides are all it keeps of Reactor: no operator chain
	 * waits for a close.
	 *
	 * <p>As the subscriber of Reactor Netty's inbound (the client's side, {@link ClientEnd}) it works around two quirks: a cancelled
	 * WebSocket inbound is answered with an immediate empty close frame, which would pre-empt the
	 * close code the bridge is about to forward, so it never cancels (a cancelled relay only stops
	 * listening); and with unbounded demand the receiver signals an inbound error a second time when
	 * the connection is disposed (logged as a dropped error), so it asks for bounded, if huge, demand
	 * and takes one terminal signal.
	 */
	private final class Side implements FrameEvents, CoreSubscriber<Object>, ChannelFutureListener {

		/** "client" or "backend", in close reasons. */
		final String role;

		final RelayEnd end;

		/**
		 * The side's channel as the relay began: Reactor Netty's operations stand for the client's
		 * channel with a placeholder once they terminated, which has no loop and closes nothing.
		 */
		final Channel channel;

		/** The loop the connection was registered on, kept for timers and meters, which outlive it. */
		final EventLoop loop;

		/** The code sent to the other side when this one is lost without a close frame. */
		final int lostCode;

		final TrafficCounter traffic;

		/** This side's forwarder: frames read before it was in place are handed to it. */
		@Nullable FrameForwarder forwarder;

		/** When it last sent something (nanoTime). */
		volatile long lastFrame = System.nanoTime();

		/** When the gateway last pinged it. */
		volatile long lastPing;

		/**
		 * The gateway holds this side's frames for a message rate: it is not read, so its pongs cannot
		 * be heard, and it is not silent (what it sent waits in the gateway).
		 */
		volatile boolean held;

		/** Its inbound ended (completed or failed): only the first end counts. */
		private volatile boolean inboundEnded;

		/** The client's close, as its forwarder heard it; null while none (and always for the backend). */
		volatile @Nullable WebSocketCloseStatus heardClose;

		Side(String role, RelayEnd end, int lostCode, TrafficCounter traffic) {
			this.role = role;
			this.end = end;
			this.channel = end.channel();
			this.loop = end.loop();
			this.lostCode = lostCode;
			this.traffic = traffic;
		}

		Side other() {
			return (this == client) ? backend : client;
		}

		@Override
		public void heard(boolean messageEnded) {
			long now = System.nanoTime();
			lastFrame = now;
			if (messageEnded) {
				lastMessage = now;
			}
		}

		@Override
		public void held(boolean held) {
			this.held = held;
			if (!held) {
				lastFrame = System.nanoTime();
			}
		}

		@Override
		public void messageTooBig(long limit) {
			String reason = role + " message too big";
			endByGateway(CloseCodes.MESSAGE_TOO_BIG, reason, this, CloseCodes.MESSAGE_TOO_BIG, other(),
					CloseCodes.GOING_AWAY);
		}

		@Override
		public void messageRateExceeded(String filter) {
			String reason = role + " message rate exceeded";
			endByGateway(CloseCodes.POLICY_VIOLATION, reason, this, CloseCodes.POLICY_VIOLATION, other(),
					CloseCodes.GOING_AWAY);
		}

		@Override
		public void protocolError(int code) {
			String reason = role + switch (code) {
				case CloseCodes.MESSAGE_TOO_BIG -> " message too big";
				case CloseCodes.INVALID_PAYLOAD -> " sent invalid UTF-8";
				default -> " protocol error";
			};
			// The decoder has sent this side its close already.
			endByGateway(code, reason, this, NOTHING, other(), CloseCodes.GOING_AWAY);
		}

		/**
		 * The client closed: its side has ended, with that close (its forwarder holds the frame for
		 * Reactor Netty, whose inbound ends once it answered it).
		 */
		@Override
		public void closeHeard(WebSocketCloseStatus status) {
			heardClose = status;
			onComplete();
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			// Unbounded demand switches Reactor Netty's receiver to a fast path that signals an inbound
			// error twice (the second time when the connection is disposed, as a dropped error).
			subscription.request(Long.MAX_VALUE - 1);
		}

		/**
		 * Its connection is gone: the other side goes within the grace period, even when it stopped
		 * reading and never completes its close.
		 */
		@Override
		public void operationComplete(ChannelFuture closed) {
			disposeAfterGrace(other());
		}

		/** A frame read before the forwarder was in place (between the handshake and the relay). */
		@Override
		public void onNext(Object item) {
			// After the relay was cancelled nothing is forwarded; Reactor Netty releases what it hands over.
			FrameForwarder early = forwarder;
			if (early != null && !cancelled && item instanceof WebSocketFrame frame) {
				// Reactor Netty releases a received frame after onNext: the forwarded one is retained.
				early.forwardEarly(frame.retain());
			}
		}

		@Override
		public void onError(Throwable error) {
			if (error instanceof CorruptedWebSocketFrameException corrupted && !inboundEnded && !cancelled) {
				// Found by Netty's decoder before the forwarder was in place.
				protocolError(corrupted.closeStatus().code());
			}
			onComplete();
		}

		/** The side ended: closes the other side the way it ended, then waits for that one to go. */
		@Override
		public void onComplete() {
			if (inboundEnded || cancelled) {
				return;
			}
			inboundEnded = true;
			Side to = other();
			Mono.defer(() -> forwardEnd(this, to))
				.then(Mono.defer(() -> awaitClosed(to)))
				.subscribe(null, WebSocketBridge.this::sideFailed, WebSocketBridge.this::sideEnded);
		}
	}

	private static final AtomicIntegerFieldUpdater<WebSocketBridge> SIDES_LEFT =
			AtomicIntegerFieldUpdater.newUpdater(WebSocketBridge.class, "sidesLeft");

	private static final AtomicIntegerFieldUpdater<WebSocketBridge> FINISHED =
			AtomicIntegerFieldUpdater.newUpdater(WebSocketBridge.class, "finished");

	/** What a side that ended without a close frame is seen to have sent. */
	private static final Optional<WebSocketCloseStatus> LOST = Optional.empty();

	/** Sends a side no close frame (it has one already, or its connection is dropped). */
	private static final int NOTHING = 0;

	/** A close frame without a code. */
	private static final int NO_CODE = -1;

	private final ProxySession session;

	private final Side client;

	private final Side backend;

	/** The pool's timeouts and limits. */
	private final PoolSpec pool;

	/** The deadline and message rates filters set. */
	private final SessionPolicy policy;

	private final boolean deflate;

	private volatile long lastMessage = System.nanoTime();

	/**
	 * The gateway ended the session and told both sides: their closes are not forwarded (written by
	 * either side's loop or the timer, read when a side's inbound ends).
	 */
	private volatile boolean endedByGateway;

	/** The session's timer; null until the relay starts. */
	private volatile @Nullable ScheduledFuture<?> timer;

	/** Whom to tell when the relay is over; null until subscribed. */
	private volatile @Nullable MonoSink<Void> done;

	/**
	 * Sides whose end is still being forwarded: at 0, both closes went on and both connections are
	 * gone (a field updater: the sides may end on two loops).
	 */
	private volatile int sidesLeft = 2;

	/** 1 once the relay is over or cancelled: the session ends once. */
	private volatile int finished;

	/** The relay was cancelled or is over: frames Reactor Netty still hands over are not forwarded. */
	private volatile boolean cancelled;

	/**
	 * @param pool the pool's timeouts ({@code idleTimeout}, {@code pingInterval}, {@code pingTimeout}; zero
	 * switches one off) and message size limits
	 * @param policy the deadline and message rates filters set
	 * @param deflate whether the endpoints negotiated permessage-deflate (their frames may carry RSV1)
	 */
	WebSocketBridge(ProxySession session, RelayEnd client, RelayEnd backend, TrafficCounter up,
			TrafficCounter down, PoolSpec pool, SessionPolicy policy, boolean deflate) {
		this.session = session;
		this.client = new Side(CloseInitiator.CLIENT.tag(), client, CloseCodes.GOING_AWAY, up);
		this.backend = new Side(CloseInitiator.BACKEND.tag(), backend, CloseCodes.BAD_GATEWAY, down);
		this.pool = pool;
		this.policy = policy;
		this.deflate = deflate;
	}

	/**
	 * Puts the forwarders in place, then relays until both sides are closed; the session learns how
	 * it ended. Reading the frames Reactor Netty holds waits for the subscription.
	 */
	Mono<Void> relay() {
		// A side whose connection is gone takes the other down (a listener on the channel: no Reactor
		// subscription to keep for the session's life).
		client.channel.closeFuture().addListener(client);
		backend.channel.closeFuture().addListener(backend);
		timer = startTimer();
		FramePath.Forwarders forwarders = FramePath.relay(
				new FramePath.Side(client.end, client, client.traffic, pool.clientMaxMsgSize()),
				new FramePath.Side(backend.end, backend, backend.traffic, pool.serverMaxMsgSize()), deflate,
				MessageRateLimit.of(policy.clientRates(), System.nanoTime()));
		client.forwarder = forwarders.up();
		backend.forwarder = forwarders.down();
		return Mono.create(sink -> {
			done = sink;
			sink.onCancel(this);
			client.end.receive(client);
			backend.end.receive(backend);
		});
	}

	/** Closes both sides with 1001 (the gateway is shutting down). */
	void goAway(String reason) {
		endByGateway(CloseCodes.GOING_AWAY, reason, client, CloseCodes.GOING_AWAY, backend, CloseCodes.GOING_AWAY);
	}

	/** A side's close went on and the other side's connection is gone. */
	private void sideEnded() {
		if (SIDES_LEFT.decrementAndGet(this) == 0) {
			finish(null);
		}
	}

	private void sideFailed(Throwable error) {
		finish(error);
	}

	/**
	 * The relay is over (or failed, or was cancelled): stops the timer, hands over the traffic, and
	 * ends the session, once.
	 */
	private void finish(@Nullable Throwable error) {
		if (!FINISHED.compareAndSet(this, 0, 1)) {
			return;
		}
		cancelled = true;
		ScheduledFuture<?> running = timer;
		if (running != null) {
			running.cancel(false);
		}
		publishTraffic();
		session.relayEnded();
		MonoSink<Void> sink = done;
		if (sink != null) {
			if (error != null) {
				sink.error(error);
			}
			else {
				sink.success();
			}
		}
	}

	/** The relay was cancelled: the session ends (its connections close on their own). */
	@Override
	public void dispose() {
		finish(null);
	}

	/**
	 * Closes {@code to} the way {@code from} ended: with its close code, or as lost. The client's
	 * close is known at once; otherwise the side's end says how it ended, within the grace period.
	 */
	private Mono<Void> forwardEnd(Side from, Side to) {
		if (endedByGateway) {
			return Mono.empty();
		}
		WebSocketCloseStatus heard = from.heardClose;
		if (heard != null) {
			return forwardClose(from, to, heard);
		}
		return LoopTimeout
			.timeout(from.end.receiveCloseStatus().map(Optional::of), CLOSE_GRACE, from.loop, Mono.just(LOST))
			.defaultIfEmpty(LOST)
			.flatMap(status -> status.isPresent() ? forwardClose(from, to, status.get()) : forwardLoss(from, to));
	}

	/** {@code from} sent a close frame: {@code to} gets the same one (1006 and 1015 read as lost). */
	private Mono<Void> forwardClose(Side from, Side to, WebSocketCloseStatus status) {
		int code = status.code();
		if (code == WebSocketCloseStatus.EMPTY.code()) {
			// The peer sent a close frame without a code: so do we.
			session.closed(code, from.role);
			return sendClose(to, NO_CODE, null);
		}
		if (!WebSocketCloseStatus.isValidStatusCode(code)) {
			// 1006 and 1015 only describe a lost connection; they never go on the wire.
			return forwardLoss(from, to);
		}
		session.closed(code, from.role);
		return sendClose(to, code, status.reasonText());
	}

	/** {@code from} ended without a close frame: {@code to} is told it was lost. */
	private Mono<Void> forwardLoss(Side from, Side to) {
		session.closed(CloseCodes.ABNORMAL, from.role);
		return sendClose(to, from.lostCode, from.role + " connection lost");
	}

	/**
	 * The gateway ends the session: records {@code code} as the reason, then sends each side its
	 * close ({@link #NOTHING}: none). Neither side's own close is forwarded after that.
	 */
	private void endByGateway(int code, @Nullable String reason, Side first, int firstCode, Side second,
			int secondCode) {
		session.closed(code, ProxySession.GATEWAY);
		endedByGateway = true;
		if (firstCode != NOTHING) {
			sendClose(first, firstCode, reason).subscribe();
		}
		if (secondCode != NOTHING) {
			sendClose(second, secondCode, reason).subscribe();
		}
	}

	/**
	 * Sends a side a close frame; a client whose own close is held is answered with that instead.
	 * Deferred: Reactor Netty allocates the frame when asked for the {@code Mono} and releases it
	 * only once subscribed, so it is asked only at subscription.
	 */
	private static Mono<Void> sendClose(Side side, int code, @Nullable String reason) {
		return quietly(Mono.defer(() -> answeredHeldClose(side) ? Mono.empty() : side.end.sendClose(code, reason)));
	}

	/**
	 * Answers the side's held close on its loop (or lets it be, when the side's connection ended and
	 * handed it to Reactor Netty already); false when the side sent no close the forwarder holds.
	 */
	private static boolean answeredHeldClose(Side side) {
		FrameForwarder forwarder = side.forwarder;
		if (forwarder == null || side.heardClose == null) {
			return false;
		}
		if (side.loop.inEventLoop()) {
			forwarder.answerHeldClose();
			return true;
		}
		try {
			side.loop.execute(forwarder::answerHeldClose);
		}
		catch (RejectedExecutionException ex) {
			// The loop is shutting down, and the connection with it.
		}
		return true;
	}

	/** Runs on the client's event loop: meters, deadline, idle timeout, keepalive pings, dead peers. */
	private void checkTimers() {
		publishTraffic();
		if (endedByGateway || client.inboundEnded || backend.inboundEnded) {
			// Closing already (a side waits for the other's answer): the grace period bounds that, no
			// ping, idle timeout or deadline cuts into it.
			return;
		}
		Instant closeAt = policy.closeAt();
		if (closeAt != null && !Instant.now().isBefore(closeAt)) {
			String reason = policy.closeReason();
			endByGateway(CloseCodes.POLICY_VIOLATION, reason, backend, CloseCodes.GOING_AWAY, client,
					CloseCodes.POLICY_VIOLATION);
			return;
		}
		long now = System.nanoTime();
		long idle = pool.idleTimeout().toNanos();
		if (idle > 0 && now - lastMessage >= idle) {
			endByGateway(CloseCodes.GOING_AWAY, "idle timeout", client, CloseCodes.GOING_AWAY, backend,
					CloseCodes.GOING_AWAY);
			return;
		}
		long interval = pool.pingInterval().toNanos();
		if (interval > 0) {
			keepAlive(client, now, interval);
			keepAlive(backend, now, interval);
		}
	}

	private void keepAlive(Side side, long now, long interval) {
		if (side.held) {
			return;
		}
		long silent = now - side.lastFrame;
		if (silent < interval) {
			return;
		}
		if (silent >= interval + pool.pingTimeout().toNanos()) {
			// No frame at all, not even a pong: the peer or the path to it is dead.
			endByGateway(CloseCodes.ABNORMAL, side.role + " not responding", side, NOTHING, side.other(),
					side.lostCode);
			side.channel.close();
			return;
		}
		if (now - side.lastPing >= interval) {
			side.lastPing = now;
			side.channel.writeAndFlush(Keepalive.ping());
		}
	}

	/** The session's timer: every second at most, more often when a timeout needs it. */
	private ScheduledFuture<?> startTimer() {
		long tick = Math.min(nonZero(pool.idleTimeout()), Math.min(nonZero(pool.pingInterval()),
				nonZero(pool.pingTimeout())));
		long period = Math.max(50, Math.min(1000, tick / 4));
		return client.loop.scheduleAtFixedRate(this::checkTimers, period, period, TimeUnit.MILLISECONDS);
	}

	private void disposeAfterGrace(Side side) {
		Channel channel = side.channel;
		if (channel.isActive()) {
			ScheduledFuture<?> drop = side.loop.schedule(() -> channel.close(), CLOSE_GRACE.toMillis(),
					TimeUnit.MILLISECONDS);
			// Mostly the side closes by itself: the timer goes with it, not 5 s later with the channel.
			channel.closeFuture().addListener(closed -> drop.cancel(false));
		}
	}

	private Mono<Void> awaitClosed(Side side) {
		Channel channel = side.channel;
		return LoopTimeout.timeout(FutureMono.from(channel.closeFuture()), CLOSE_GRACE, side.loop,
				Mono.fromRunnable(() -> channel.close()));
	}

	/** Hands each side's traffic counts to the meters. */
	private void publishTraffic() {
		publishTraffic(client);
		publishTraffic(backend);
	}

	/** On the event loop that counted them (the timer's loop, unless the sides run on two loops). */
	private static void publishTraffic(Side side) {
		if (side.loop.inEventLoop()) {
			side.traffic.publish();
			return;
		}
		try {
			side.loop.execute(side.traffic::publish);
		}
		catch (RejectedExecutionException ex) {
			// The loop is shutting down: nothing counts on it any more.
			side.traffic.publish();
		}
	}

	private static long nonZero(Duration duration) {
		return (duration.isZero() || duration.isNegative()) ? Long.MAX_VALUE : duration.toMillis();
	}

	private static Mono<Void> quietly(Mono<Void> close) {
		return close.onErrorResume(ex -> Mono.empty());
	}
}
