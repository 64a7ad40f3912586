package io.wsgate.proxy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.BackendDialer.DialRequest;
import io.wsgate.proxy.HandshakeCheck.Refusal;
import io.wsgate.proxy.WebSocketBridge.Side;
import io.wsgate.request.RequestInfo;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * The WebSocketProxy filter. Order of work for each handshake:
 * <ol>
 * <li>check it is a valid WebSocket handshake (400/405/426 otherwise);</li>
 * <li>pick the pool (first matching candidate pool, else the main pool) and check the Origin (403);</li>
 * <li>dial a backend, moving on to the next server when one is unreachable (503 when no server is
 * available, 502 when none answers, the backend's own status when it refuses);</li>
 * <li>only then upgrade the client, with the backend's subprotocol and {@code Set-Cookie}s;</li>
 * <li>relay frames until both sides are closed.</li>
 * </ol>
 */
final class WebSocketProxyFilter implements Filter {

	static final String CLIENT_ERROR = "clientError";

	static final String SERVER_ERROR = "serverError";

	static final Set<String> RESULTS = Set.of(CLIENT_ERROR, SERVER_ERROR);

	/** Backend response headers that describe the backend's own connection, never relayed. */
	private static final Set<String> NOT_RELAYED = Set.of("connection", "upgrade", "sec-websocket-accept",
			"sec-websocket-protocol", "sec-websocket-extensions", "content-length", "transfer-encoding", "keep-alive",
			"date", "server");

	private final String defaultOrigin;

	private final List<ProxyPool> candidates;

	private final ProxyPool main;

	private final BackendDialer dialer;

	/**
	 * A pool with the proxy settings derived from its spec.
	 *
	 * @param pool the servers and load balancing
	 * @param originCheck the pool's Origin rule
	 */
	record ProxyPool(ServerPool pool, OriginCheck originCheck) {
	}

	WebSocketProxyFilter(String defaultOrigin, List<ProxyPool> candidates, ProxyPool main, BackendDialer dialer) {
		this.defaultOrigin = defaultOrigin;
		this.candidates = candidates;
		this.main = main;
		this.dialer = dialer;
	}

	@Override
	public Mono<String> handle(FilterContext context) {
		ServerHttpRequest request = context.request();
		HttpHeaders headers = request.getHeaders();
		Refusal refusal = HandshakeCheck.check(request.getMethod().name(), headers);
		if (refusal != null) {
			if (refusal.headerName() != null) {
				context.response().getHeaders().set(refusal.headerName(), refusal.headerValue());
			}
			return context.respond(refusal.status(), refusal.message()).thenReturn(CLIENT_ERROR);
		}
		ProxyPool proxyPool = select(context.info());
		ServerPool pool = proxyPool.pool();
		String originRefusal = proxyPool.originCheck()
			.refusal(headers.getFirst(HttpHeaders.ORIGIN), headers.getFirst(HttpHeaders.HOST));
		if (originRefusal != null) {
			return context.respond(403, originRefusal).thenReturn(CLIENT_ERROR);
		}
		List<Server> servers = pool.serversToTry(context.info());
		if (servers.isEmpty()) {
			return context.respond(503, "no available backend server").thenReturn(SERVER_ERROR);
		}
		DialRequest dial = new DialRequest(pathAndQuery(request), nonNull(headers.getFirst(HttpHeaders.HOST)),
				BackendHeaders.build(headers, context.info().peerIp(), context.secure(), defaultOrigin),
				BackendHeaders.subprotocols(headers), MessageSizeLimit.frameLimit(pool.spec().serverMaxMsgSize()),
				pool.connectTimeout());
		return dialer.dialFirst(servers, dial, pool)
			.flatMap(backend -> upgrade(context, pool, backend).thenReturn(Filter.CONTINUE))
			.onErrorResume(BackendRefusedException.class, ex -> relayRefusal(context, ex))
			.onErrorResume(BackendUnreachableException.class,
					ex -> context.respond(502, ex.getMessage()).thenReturn(SERVER_ERROR));
	}

	private ProxyPool select(RequestInfo request) {
		for (ProxyPool candidate : candidates) {
			if (candidate.pool().matches(request)) {
				return candidate;
			}
		}
		return main;
	}

	private Mono<Void> upgrade(FilterContext context, ServerPool pool, BackendSession backend) {
		HttpServerResponse response = ServerHttpResponseDecorator.getNativeResponse(context.response());
		for (String cookie : backend.responseHeaders().getAll(HttpHeaderNames.SET_COOKIE)) {
			response.addHeader(HttpHeaderNames.SET_COOKIE, cookie);
		}
		String sticky = pool.stickyCookie(backend.server(), toSpring(backend.responseHeaders()));
		if (sticky != null) {
			response.addHeader(HttpHeaderNames.SET_COOKIE, sticky);
		}
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			.maxFramePayloadLength(MessageSizeLimit.frameLimit(pool.spec().clientMaxMsgSize()))
			.handlePing(true);
		if (backend.subprotocol() != null) {
			spec.protocols(backend.subprotocol());
		}
		Side backendSide = new Side("backend", backend.in(), backend.out(), backend.connection(),
				pool.spec().serverMaxMsgSize(), CloseCodes.BAD_GATEWAY);
		// sendWebsocket completes once the client's 101 is written and runs the handler detached:
		// the sink carries the end of the session back, so the pipeline ends with the session.
		Sinks.Empty<Void> sessionEnd = Sinks.empty();
		AtomicBoolean relaying = new AtomicBoolean();
		context.markUpgraded();
		return response.sendWebsocket((in, out) -> {
			relaying.set(true);
			Side clientSide = new Side("client", in, out, (Connection) in, pool.spec().clientMaxMsgSize(),
					CloseCodes.GOING_AWAY);
			return WebSocketBridge.relay(clientSide, backendSide).doFinally(signal -> {
				backend.connection().dispose();
				sessionEnd.tryEmitEmpty();
			});
		}, spec.build())
			.then(Mono.defer(() -> relaying.get() ? sessionEnd.asMono() : Mono.fromRunnable(backend.connection()::dispose)))
			.doOnError(ex -> backend.connection().dispose())
			.doOnCancel(backend.connection()::dispose);
	}

	private static Mono<String> relayRefusal(FilterContext context, BackendRefusedException refused) {
		HttpHeaders target = context.response().getHeaders();
		refused.headers().forEach(header -> {
			if (!NOT_RELAYED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
				target.add(header.getKey(), header.getValue());
			}
		});
		String result = (refused.status() < 500) ? CLIENT_ERROR : SERVER_ERROR;
		return context.respond(refused.status(), "backend refused the WebSocket handshake: HTTP " + refused.status())
			.thenReturn(result);
	}

	private static HttpHeaders toSpring(io.netty.handler.codec.http.HttpHeaders netty) {
		HttpHeaders headers = new HttpHeaders();
		netty.forEach(h -> headers.add(h.getKey(), h.getValue()));
		return headers;
	}

	private static String pathAndQuery(ServerHttpRequest request) {
		String path = request.getURI().getRawPath();
		String query = request.getURI().getRawQuery();
		String base = (path == null || path.isEmpty()) ? "/" : path;
		return (query != null) ? base + "?" + query : base;
	}

	private static String nonNull(String text) {
		return (text != null) ? text : "";
	}
}
