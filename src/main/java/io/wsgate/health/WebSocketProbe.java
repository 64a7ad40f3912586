package io.wsgate.health;

import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.wsgate.config.HealthCheckSpec.WsCheckSpec;
import io.wsgate.pool.Server;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * A WebSocket handshake to the server: healthy when the answer's status is in
 * {@code match.statusCodes} (default 101) and its headers match. An upgraded probe connection is
 * closed cleanly with 1000. Only a handshake and a close, so Spring's client does it.
 */
final class WebSocketProbe implements HealthProbe {

	private static final int[] DEFAULT_RANGE = { 101, 101 };

	private static final CloseStatus CLOSE = CloseStatus.NORMAL.withReason("health check");

	private final WsCheckSpec spec;

	private final ReactorNettyWebSocketClient client;

	private final HttpHeaders headers = new HttpHeaders();

	private final ResponseMatcher matcher;

	/** @param client carries the pool's TLS and the gateway's event loops */
	WebSocketProbe(WsCheckSpec spec, HttpClient client) {
		this.spec = spec;
		this.matcher = new ResponseMatcher(spec.match(), DEFAULT_RANGE);
		// A Host among them is honoured, as Easegress does: Reactor Netty sends it instead of the URI's.
		spec.headers().forEach(headers::set);
		this.client = new ReactorNettyWebSocketClient(client);
	}

	@Override
	public Mono<CheckResult> check(Server server) {
		URI target = ProbeTarget.of(server, true, spec.port(), spec.uri());
		AtomicReference<CheckResult> upgraded = new AtomicReference<>();
		HttpHeaders sent = headers;
		if (server.hostHeader() != null && !headers.containsHeader("Host")) {
			// A server that is one address of a DNS name is checked with the name as Host, as traffic is.
			sent = new HttpHeaders();
			sent.addAll(headers);
			sent.set("Host", server.hostHeader());
		}
		return client.execute(target, sent, session -> {
				upgraded.set(result(matcher.mismatch(101, session.getHandshakeInfo().getHeaders()::getFirst, "")));
				return closeCleanly(session);
			})
			.then(Mono.fromSupplier(upgraded::get))
			.defaultIfEmpty(CheckResult.failed("ws check: no handshake"))
			.onErrorResume(WebSocketClientHandshakeException.class, ex -> Mono.just(refused(ex)))
			.onErrorResume(ex -> Mono.just(CheckResult.failed("ws check: " + describe(ex))));
	}

	/**
	 * An answer other than a valid upgrade: its status and headers are matched, unless it was a 101
	 * that failed the handshake's checks (a wrong Sec-WebSocket-Accept): no WebSocket server, whatever
	 * the status ranges say, as the proxy's dials treat it.
	 */
	private CheckResult refused(WebSocketClientHandshakeException ex) {
		if (ex.response() == null || ex.response().status().code() == 101) {
			return CheckResult.failed("ws check: invalid handshake: " + ex.getMessage());
		}
		return result(matcher.mismatch(ex.response().status().code(), ex.response().headers()::get, ""));
	}

	/** The close frame is sent and the connection closed; a server already gone is no failure of the check. */
	private static Mono<Void> closeCleanly(WebSocketSession session) {
		return session.close(CLOSE).onErrorComplete();
	}

	private static CheckResult result(@Nullable String mismatch) {
		return (mismatch == null) ? CheckResult.OK : CheckResult.failed("ws check: " + mismatch);
	}

	static String describe(Throwable ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}
}
