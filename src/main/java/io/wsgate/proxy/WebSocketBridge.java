package io.wsgate.proxy;

import java.time.Duration;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.proxy.MessageSizeLimit.MessageTooBigException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Relays frames between the client and the backend, unchanged (fragments, pings and pongs
 * included), with demand flowing end to end: a frame is read from one side only when the other
 * side can take it, so a slow reader never makes the gateway buffer more than Netty's write
 * buffer and Reactor Netty's prefetch.
 *
 * <p>When one side ends, the other is closed with the same code and reason; a side lost without a
 * close frame is reported as 1001 (client lost) or 1014 (backend lost); a message over the limit
 * gets 1009 to its sender and 1001 to the other side.
 */
final class WebSocketBridge {

	/** How long a side may take to close after the session ended before its connection is dropped. */
	static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

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
	 */
	record Side(String role, WebsocketInbound in, WebsocketOutbound out, Connection connection, long maxMessageSize,
			int lostCode, TrafficCounter traffic) {
	}

	/** The initiator of closes the gateway decides on (message limits, protocol errors). */
	static final String GATEWAY = "gateway";

	private WebSocketBridge() {
	}

	/** Relays until both sides are closed; the record learns how the session ended. */
	static Mono<Void> relay(Side client, Side backend, SessionRecord record) {
		return Mono.when(pump(client, backend, record), pump(backend, client, record));
	}

	/** Forwards the frames of {@code from} to {@code to}, then closes {@code to} the way {@code from} ended. */
	private static Mono<Void> pump(Side from, Side to, SessionRecord record) {
		MessageSizeLimit limit = new MessageSizeLimit(from.maxMessageSize());
		Throwable[] failure = new Throwable[1];
		Flux<WebSocketFrame> frames = CancelShield.of(from.in().receiveFrames())
			.doOnNext(frame -> {
				limit.check(frame);
				from.traffic().count(frame);
			})
			.onErrorResume(ex -> {
				failure[0] = ex;
				return Mono.empty();
			})
			// Reactor Netty releases a received frame after onNext; the write to the other side
			// releases it again.
			.doOnNext(WebSocketFrame::retain);
		return to.out()
			.sendObject(frames)
			.then()
			// A failed write means `to` is gone: its own pump closes `from`.
			.onErrorResume(ex -> Mono.empty())
			.then(Mono.defer(() -> closeAfter(from, to, failure[0], record)))
			.then(Mono.defer(() -> awaitClosed(to.connection())));
	}

	private static Mono<Void> closeAfter(Side from, Side to, Throwable failure, SessionRecord record) {
		if (failure instanceof MessageTooBigException) {
			record.closed(CloseCodes.MESSAGE_TOO_BIG, GATEWAY);
			String reason = from.role() + " message too big";
			return Mono.when(quietly(from.out().sendClose(CloseCodes.MESSAGE_TOO_BIG, reason)),
					quietly(to.out().sendClose(CloseCodes.GOING_AWAY, reason)));
		}
		if (failure instanceof CorruptedWebSocketFrameException corrupted) {
			// Netty's decoder already closed `from` with the matching code (1002, 1007 or 1009).
			record.closed(corrupted.closeStatus().code(), GATEWAY);
			String reason = from.role() + (corrupted.closeStatus().code() == CloseCodes.MESSAGE_TOO_BIG
					? " message too big" : " protocol error");
			return quietly(to.out().sendClose(CloseCodes.GOING_AWAY, reason));
		}
		return from.in()
			.receiveCloseStatus()
			.timeout(CLOSE_GRACE, Mono.empty())
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

	private static Mono<Void> awaitClosed(Connection connection) {
		return connection.onDispose().timeout(CLOSE_GRACE, Mono.fromRunnable(connection::dispose));
	}

	private static Mono<Void> quietly(Mono<Void> close) {
		return close.onErrorResume(ex -> Mono.empty());
	}
}
