package io.wsgate.health;

import java.net.URI;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.wsgate.config.HealthCheckSpec.WsCheckSpec;
import io.wsgate.pool.Server;
import io.wsgate.proxy.BackendHandshakeHandler;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A WebSocket handshake to the server: healthy when the answer's status is in
 * {@code match.statusCodes} (default 101) and its headers match. An upgraded probe connection is
 * closed cleanly with 1000.
 */
final class WebSocketProbe implements HealthProbe {

	private static final int[] DEFAULT_RANGE = { 101, 101 };

	private final WsCheckSpec spec;

	private final HttpClient client;

	private final ResponseMatcher matcher;

	WebSocketProbe(WsCheckSpec spec, HttpClient client) {
		this.spec = spec;
		this.matcher = new ResponseMatcher(spec.match(), DEFAULT_RANGE);
		String host = spec.headers().entrySet().stream()
			.filter(e -> e.getKey().equalsIgnoreCase("Host"))
			.map(java.util.Map.Entry::getValue)
			.findFirst()
			.orElse(null);
		// A Host header in the check's headers is honoured, as Easegress does.
		this.client = BackendHandshakeHandler.install(client.headers(h -> spec.headers().forEach(h::set)), host, null);
	}

	@Override
	public Mono<CheckResult> check(Server server) {
		URI target = ProbeTarget.of(server, true, spec.port(), spec.uri());
		return client.websocket()
			.uri(target)
			.connect()
			.flatMap(connection -> {
				String mismatch = matcher.mismatch(101, ((HttpClientResponse) connection).responseHeaders(), "");
				return closeCleanly(connection).thenReturn(result(mismatch));
			})
			.onErrorResume(WebSocketClientHandshakeException.class, ex -> (ex.response() != null)
					? Mono.just(result(matcher.mismatch(ex.response().status().code(), ex.response().headers(), "")))
					: Mono.just(CheckResult.failed("ws check: " + ex.getMessage())))
			.onErrorResume(ex -> Mono.just(CheckResult.failed("ws check: " + describe(ex))));
	}

	private static Mono<Void> closeCleanly(Connection connection) {
		return ((WebsocketOutbound) connection).sendClose(1000, "health check")
			.onErrorResume(ex -> Mono.empty())
			.doFinally(signal -> connection.dispose());
	}

	private static CheckResult result(String mismatch) {
		return (mismatch == null) ? CheckResult.OK : CheckResult.failed("ws check: " + mismatch);
	}

	static String describe(Throwable ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}
}
