package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.metrics.CloseInitiator;
import io.wsgate.pipeline.SessionGuards.MessageRate;
import io.wsgate.proxy.MessageRateLimit.MessageRateExceededException;
import io.wsgate.proxy.MessageSizeLimit.MessageTooBigException;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Relays frames between the client and the backend of one session, unchanged (fragments, pings
 * and pongs included), with demand flowing end to end: a frame is read from one side only when the
 * other side can take it, so a slow reader never makes the gateway buffer more than Netty's write
 * buffer. The frames go through a {@link FrameForwarder} (and once the session runs, a
 * {@link RawFrameReader}) on each side; this class owns the session's lifecycle: how it ends, its
 * timers and its record.
 *
 * <p>When one side ends, the other is closed with the same code and reason; a side lost without a
 * close frame is reported as 1001 (client lost) or 1014 (backend lost); a message over the limit
 * gets 1009 to its sender and 1001 to the other side, and a client over a {@code close} message rate
 * 1008 and the backend 1001. The gateway itself pings a side that has been
 * silent for {@code pingInterval} and drops it when it stays silent {@code pingTimeout} longer, closes
 * both sides with 1001 after {@code idleTimeout} without a message, and on shutdown.
 */
final class WebSocketBridge {

	/** How long a side may take to close after the session ended before its connection is dropped. */
	static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

	/** The initiator of closes the gateway decides on (limits, protocol errors, timeouts, shutdown). */
	static final String GATEWAY = CloseInitiator.GATEWAY.tag();

	/** Payload of the gateway's own pings; the pongs that echo it are not forwarded. */
	private static final ByteBuf KEEPALIVE = Unpooled.unreleasableBuffer(
			Unpooled.wrappedBuffer("wsgate-keepalive".getBytes(StandardCharsets.US_ASCII)));

	/**
	 * One end of the session.
	 *
	 * @param role "client" or "backend", in close reasons
	 * @param in its inbound frames
	 * @param out its outbound frames
	 * @param connection its connection
	 * @param maxMessageSize the limit on messages it sends (-1 = unlimited)
	 * @param lostCode the code sent to the other side when this one is lost without a close frame
	 * @param traffic counts the frames this side sends
	 * @param liveness when it last sent something, and when the gateway last pinged it
	 */
	record Side(String role, WebsocketInbound in, WebsocketOutbound out, Connection connection, long maxMessageSize,
			int lostCode, TrafficCounter traffic, Liveness liveness) {

		Side(String role, WebsocketInbound in, WebsocketOutbound out, Connection connection, long maxMessageSize,
				int lostCode, TrafficCounter traffic) {
			this(role, in, out, connection, maxMessageSize, lostCode, traffic, new Liveness());
		}
	}

	/** When a side was last heard from and pinged (nanoTime); written by its forwarder and the timer. */
	static final class Liveness {

		volatile long lastFrame = System.nanoTime();

		volatile long lastPing;

		/**
		 * The gateway holds this side's frames for a message rate: it is not read, so its pongs cannot
		 * be heard, and it is not silent (what it sent waits in the gateway).
		 */
		volatile boolean held;
	}

	/**
	 * The session's timers; a zero duration switches one off.
	 *
	 * @param idleTimeout no message either way for this long closes the session
	 * @param pingInterval a side silent for this long is pinged
	 * @param pingTimeout a pinged side silent this much longer is dropped
	 * @param closeAt when the session must end (a token's expiry), or null
	 * @param closeReason the reason sent to the client then
	 * @param clientRates the client's message rates (RateLimiters' {@code messages}), empty when none
	 */
	record Timeouts(Duration idleTimeout, Duration pingInterval, Duration pingTimeout, Instant closeAt,
			String closeReason, List<MessageRate> clientRates) {

		Timeouts(Duration idleTimeout, Duration pingInterval, Duration pingTimeout) {
			this(idleTimeout, pingInterval, pingTimeout, null, null, List.of());
		}
	}

	private final Side client;

	private final Side backend;

	private final EventLoop clientLoop;

	private final EventLoop backendLoop;

	private final SessionRecord record;

	private final Timeouts timeouts;

	private final boolean deflate;

	private volatile long lastMessage = System.nanoTime();

	/**
	 * The session's closeAt passed and the gateway is closing both sides (written by the timer, read
	 * when a side's inbound ends, on either side's loop).
	 */
	private volatile boolean expired;

	/** @param deflate whether the endpoints negotiated permessage-deflate (their frames may carry RSV1) */
	WebSocketBridge(Side client, Side backend, SessionRecord record, Timeouts timeouts, boolean deflate) {
		this.client = client;
		this.backend = backend;
		// Each side's loop, kept for its timers and its meters, which outlive the connection.
		this.clientLoop = client.connection().channel().eventLoop();
		this.backendLoop = backend.connection().channel().eventLoop();
		this.record = record;
		this.timeouts = timeouts;
		this.deflate = deflate;
	}

	/** Relays until both sides are closed; the record learns how the session ended. */
	Mono<Void> relay() {
		// A side whose connection is gone takes the other down within the grace period, even when
		// that other side stopped reading and never completes its close.
		client.connection().onDispose(() -> disposeAfterGrace(backend));
		backend.connection().onDispose(() -> disposeAfterGrace(client));
		ScheduledFuture<?> timer = startTimer();
		FrameForwarder[] forwarders = FrameForwarder.install(this, client, backend, deflate,
				MessageRateLimit.of(timeouts.clientRates(), System.nanoTime()));
		return Mono.when(closeWhenEnded(client, backend, forwarders[0]), closeWhenEnded(backend, client, forwarders[1])).doFinally(signal -> {
			timer.cancel(false);
			publishTraffic();
		});
	}

	/** Where the session runs: its http server, pipeline, pool and server. */
	SessionRegistry.Place place() {
		return new SessionRegistry.Place(record.httpServer(), record.pipeline(), record.pool, record.server);
	}

	/** Closes both sides with 1001 (the gateway is shutting down). */
	void goAway(String reason) {
		closeBoth(CloseCodes.GOING_AWAY, reason);
	}

	/**
	 * Waits for {@code from} to end, then closes {@code to} the way {@code from} ended. The frames
	 * themselves go through the {@link FrameForwarder}; only the ones read before it was in place
	 * arrive here.
	 */
	private Mono<Void> closeWhenEnded(Side from, Side to, FrameForwarder forwarder) {
		Throwable[] failure = new Throwable[1];
		return InboundGuard.of(from.in().receiveFrames())
			// Reactor Netty releases a received frame after onNext: the forwarded one is retained.
			.doOnNext(frame -> forwarder.forwardEarly(frame.retain()))
			.onErrorResume(ex -> {
				failure[0] = ex;
				return Mono.empty();
			})
			.then(Mono.defer(() -> closeAfter(from, to, failure[0])))
			.then(Mono.defer(() -> awaitClosed(to)));
	}

	/**
	 * Notes that {@code from} was heard (any frame), and whether a message ended, once per read batch
	 * rather than per frame: the timers work in tens of milliseconds at the finest.
	 */
	void heard(Side from, boolean messageEnded) {
		long now = System.nanoTime();
		from.liveness().lastFrame = now;
		if (messageEnded) {
			lastMessage = now;
		}
	}

	private Mono<Void> closeAfter(Side from, Side to, Throwable failure) {
		if (expired) {
			// The gateway sent each side its own close (1008 to the client, 1001 to the backend):
			// sending the client's 1008 ends its inbound at once, which must not be forwarded.
			return Mono.empty();
		}
		if (failure instanceof MessageTooBigException) {
			record.closed(CloseCodes.MESSAGE_TOO_BIG, GATEWAY);
			String reason = from.role() + " message too big";
			return Mono.when(quietly(from.out().sendClose(CloseCodes.MESSAGE_TOO_BIG, reason)),
					quietly(to.out().sendClose(CloseCodes.GOING_AWAY, reason)));
		}
		if (failure instanceof MessageRateExceededException) {
			record.closed(CloseCodes.POLICY_VIOLATION, GATEWAY);
			String reason = from.role() + " message rate exceeded";
			return Mono.when(quietly(from.out().sendClose(CloseCodes.POLICY_VIOLATION, reason)),
					quietly(to.out().sendClose(CloseCodes.GOING_AWAY, reason)));
		}
		if (failure instanceof CorruptedWebSocketFrameException corrupted) {
			// Netty closed `from` with the matching code (1002 protocol, 1007 bad UTF-8, 1009 too big).
			int code = corrupted.closeStatus().code();
			record.closed(code, GATEWAY);
			String reason = from.role() + switch (code) {
				case CloseCodes.MESSAGE_TOO_BIG -> " message too big";
				case CloseCodes.INVALID_PAYLOAD -> " sent invalid UTF-8";
				default -> " protocol error";
			};
			return quietly(to.out().sendClose(CloseCodes.GOING_AWAY, reason));
		}
		return LoopTimeout.timeout(from.in().receiveCloseStatus(), CLOSE_GRACE, loopOf(from), Mono.empty())
			.map(status -> {
				record.closed(WebSocketCloseStatus.isValidStatusCode(status.code()) || status.code() == 1005
						? status.code() : CloseCodes.ABNORMAL, from.role());
				return quietly(forwardClose(status, from, to));
			})
			.defaultIfEmpty(Mono.defer(() -> {
				record.closed(CloseCodes.ABNORMAL, from.role());
				return quietly(sendLost(from, to));
			}))
			.flatMap(close -> close);
	}

	private static Mono<Void> forwardClose(WebSocketCloseStatus status, Side from, Side to) {
		if (status.code() == WebSocketCloseStatus.EMPTY.code()) {
			// The peer sent a close frame without a code: so do we.
			return to.out().sendClose();
		}
		if (!WebSocketCloseStatus.isValidStatusCode(status.code())) {
			// 1006 and 1015 only describe a lost connection; they never go on the wire.
			return sendLost(from, to);
		}
		return to.out().sendClose(status.code(), status.reasonText());
	}

	private static Mono<Void> sendLost(Side from, Side to) {
		return to.out().sendClose(from.lostCode(), from.role() + " connection lost");
	}

	/** The session's timer: every second at most, more often when a timeout needs it. */
	private ScheduledFuture<?> startTimer() {
		long tick = Math.min(nonZero(timeouts.idleTimeout()), Math.min(nonZero(timeouts.pingInterval()),
				nonZero(timeouts.pingTimeout())));
		long period = Math.max(50, Math.min(1000, tick / 4));
		return clientLoop.scheduleAtFixedRate(this::checkTimers, period, period,
				TimeUnit.MILLISECONDS);
	}

	/** Hands each side's traffic counts to the meters. */
	private void publishTraffic() {
		publishTraffic(client);
		publishTraffic(backend);
	}

	/** On the event loop that counted them (the timer's loop, unless the sides run on two loops). */
	private void publishTraffic(Side side) {
		EventLoop loop = loopOf(side);
		if (loop.inEventLoop()) {
			side.traffic().publish();
			return;
		}
		try {
			loop.execute(side.traffic()::publish);
		}
		catch (RejectedExecutionException ex) {
			// The loop is shutting down: nothing counts on it any more.
			side.traffic().publish();
		}
	}

	/** Runs on the client's event loop: meters, idle timeout, keepalive pings, dead peers. */
	private void checkTimers() {
		publishTraffic();
		if (timeouts.closeAt() != null && !expired && !Instant.now().isBefore(timeouts.closeAt())) {
			expired = true;
			record.closed(CloseCodes.POLICY_VIOLATION, GATEWAY);
			quietly(client.out().sendClose(CloseCodes.POLICY_VIOLATION, timeouts.closeReason())).subscribe();
			quietly(backend.out().sendClose(CloseCodes.GOING_AWAY, timeouts.closeReason())).subscribe();
			return;
		}
		long now = System.nanoTime();
		long idle = timeouts.idleTimeout().toNanos();
		if (idle > 0 && now - lastMessage >= idle) {
			closeBoth(CloseCodes.GOING_AWAY, "idle timeout");
			return;
		}
		long interval = timeouts.pingInterval().toNanos();
		if (interval > 0) {
			keepAlive(client, backend, now, interval, CloseCodes.GOING_AWAY);
			keepAlive(backend, client, now, interval, CloseCodes.BAD_GATEWAY);
		}
	}

	private void keepAlive(Side side, Side other, long now, long interval, int codeForOther) {
		Liveness liveness = side.liveness();
		if (liveness.held) {
			return;
		}
		long silent = now - liveness.lastFrame;
		if (silent < interval) {
			return;
		}
		if (silent >= interval + timeouts.pingTimeout().toNanos()) {
			// No frame at all, not even a pong: the peer or the path to it is dead.
			record.closed(CloseCodes.ABNORMAL, GATEWAY);
			quietly(other.out().sendClose(codeForOther, side.role() + " not responding")).subscribe();
			side.connection().channel().close();
			return;
		}
		if (now - liveness.lastPing >= interval) {
			liveness.lastPing = now;
			side.connection().channel().writeAndFlush(new PingWebSocketFrame(KEEPALIVE.duplicate()));
		}
	}

	private void disposeAfterGrace(Side side) {
		if (!side.connection().isDisposed()) {
			loopOf(side).schedule(side.connection()::dispose, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private void closeBoth(int code, String reason) {
		record.closed(code, GATEWAY);
		quietly(client.out().sendClose(code, reason)).subscribe();
		quietly(backend.out().sendClose(code, reason)).subscribe();
	}

	/**
	 * Whether a pong's payload, {@code length} bytes at {@code index} XORed with {@code mask} (0 when
	 * unmasked), echoes the gateway's own ping: such pongs are not forwarded.
	 */
	static boolean isKeepaliveEcho(ByteBuf buf, int index, int length, int mask) {
		if (length != KEEPALIVE.readableBytes()) {
			return false;
		}
		for (int i = 0; i < length; i++) {
			if (RawFrameReader.unmask(buf.getByte(index + i), mask, i) != KEEPALIVE.getUnsignedByte(i)) {
				return false;
			}
		}
		return true;
	}

	private static long nonZero(Duration duration) {
		return (duration.isZero() || duration.isNegative()) ? Long.MAX_VALUE : duration.toMillis();
	}

	private Mono<Void> awaitClosed(Side side) {
		Connection connection = side.connection();
		return LoopTimeout.timeout(connection.onDispose(), CLOSE_GRACE, loopOf(side), Mono.fromRunnable(connection::dispose));
	}

	private EventLoop loopOf(Side side) {
		return (side == client) ? clientLoop : backendLoop;
	}

	private static Mono<Void> quietly(Mono<Void> close) {
		return close.onErrorResume(ex -> Mono.empty());
	}
}
