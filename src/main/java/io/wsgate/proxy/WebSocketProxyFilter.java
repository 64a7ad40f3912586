package io.wsgate.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.micrometer.observation.Observation;
import io.wsgate.config.PoolSpec.Policy;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.SessionGuards.FirstMessageCheck;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.HandshakeCheck.Refusal;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.dial.BackendDialer.DialRequest;
import io.wsgate.proxy.dial.BackendHeaders;
import io.wsgate.proxy.dial.BackendRefusedException;
import io.wsgate.proxy.dial.BackendSession;
import io.wsgate.proxy.dial.BackendUnreachableException;
import io.wsgate.proxy.dial.Extensions;
import io.wsgate.proxy.frame.FramePath;
import io.wsgate.proxy.frame.MessageSizeLimit;
import io.wsgate.proxy.session.ProxySession;
import io.wsgate.proxy.session.ProxySession.SessionPolicy;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.request.RequestInfo;
import io.wsgate.status.SessionListener;
import io.wsgate.tracing.HandshakeTracing;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * The WebSocketProxy filter. Order of work for each handshake:
 * <ol>
 * <li>check it is a valid WebSocket handshake (400/405/426 otherwise);</li>
 * <li>pick the pool (first matching candidate pool, else the main pool) and check the Origin (403);</li>
 * <li>dial a backend, moving on to the next server when one is unreachable (503 when no server is
 * available, 502 when none answers, the backend's own status when it refuses);</li>
 * <li>only then upgrade the client, with the backend's subprotocol, extensions and {@code Set-Cookie}s;</li>
 * <li>relay frames until both sides are closed.</li>
 * </ol>
 * When a filter before it asked for a first-message check, steps 3 and 4 swap: the client is upgraded
 * first and a backend dialled only for a valid first message ({@link FirstMessageUpgrade}).
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

	/** {@code compression: passthrough}: the client's permessage-deflate offer goes to the backend. */
	private final boolean passCompression;

	private final List<ProxyPool> candidates;

	private final ProxyPool main;

	private final BackendDialer dialer;

	private final GatewayMetrics metrics;

	private final SessionListener listener;

	private final SessionRegistry sessions;

	private final long retryAfterSeconds;

	private final HandshakeTracing tracing;

	/** Whether pool selection or load balancing reads request headers (candidate pools, headerHash). */
	private final boolean balancingReadsHeaders;

	private final FirstMessageUpgrade firstMessageUpgrade = new FirstMessageUpgrade(this);

	private final Map<Integer, WebsocketServerSpec> serverSpecs = new ConcurrentHashMap<>();

	/**
	 * A pool with the proxy settings derived from its spec.
	 *
	 * @param pool the servers and load balancing
	 * @param originCheck the pool's Origin rule
	 */
	record ProxyPool(ServerPool pool, OriginCheck originCheck) {
	}

	WebSocketProxyFilter(String defaultOrigin, boolean passCompression, List<ProxyPool> candidates, ProxyPool main,
			BackendDialer dialer, GatewayMetrics metrics, SessionListener listener, SessionRegistry sessions,
			Duration retryAfter, HandshakeTracing tracing) {
		this.defaultOrigin = defaultOrigin;
		this.passCompression = passCompression;
		this.candidates = candidates;
		this.main = main;
		this.dialer = dialer;
		this.metrics = metrics;
		this.listener = listener;
		this.sessions = sessions;
		this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
		this.tracing = tracing;
		this.balancingReadsHeaders = !candidates.isEmpty()
				|| main.pool().spec().loadBalance().parsedPolicy() == Policy.HEADER_HASH;
	}

	@Override
	public Mono<String> handle(FilterContext context) {
		ProxySession session = new ProxySession(context, sessions, metrics, listener);
		ServerHttpRequest request = context.request();
		HttpHeaders headers = request.getHeaders();
		Refusal refusal = HandshakeCheck.check(httpVersion(request), request.getMethod().name(), headers);
		if (refusal != null) {
			if (refusal.headerName() != null) {
				context.response().getHeaders().set(refusal.headerName(), refusal.headerValue());
			}
			return refuse(context, session, refusal.status(), refusal.message(), HandshakeOutcome.REJECTED, CLIENT_ERROR);
		}
		// The identity headers filters set matter only to what reads headers: candidate pools, headerHash.
		RequestInfo balancing = balancingReadsHeaders ? balancingView(context) : context.info();
		ProxyPool proxyPool = select(balancing);
		ServerPool pool = proxyPool.pool();
		session.pool(pool);
		context.observation().lowCardinalityKeyValue("pool", pool.name());
		String originRefusal = proxyPool.originCheck()
			.refusal(headers.getFirst(HttpHeaders.ORIGIN), headers.getFirst(HttpHeaders.HOST));
		if (originRefusal != null) {
			return refuse(context, session, 403, originRefusal, HandshakeOutcome.REJECTED, CLIENT_ERROR);
		}
		SessionRegistry.Refusal overLimit = session.reserve(context::holdForSession);
		if (overLimit != null) {
			context.response().getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
			return refuse(context, session, overLimit.status(), overLimit.message(), HandshakeOutcome.OVER_LIMIT,
					(overLimit.status() == 429) ? CLIENT_ERROR : SERVER_ERROR);
		}
		FirstMessageCheck firstMessage = context.sessionGuards().firstMessage();
		Mono<String> attempt = (firstMessage == null) ? connect(context, balancing, session, proxyPool)
				: firstMessageUpgrade.upgrade(context, session, pool, firstMessage);
		// A session not upgraded when its handshake ends gives back its place (and any backend dialled).
		return attempt.doFinally(signal -> session.handshakeEnded());
	}

	private Mono<String> connect(FilterContext context, RequestInfo balancing, ProxySession session,
			ProxyPool proxyPool) {
		ServerPool pool = proxyPool.pool();
		ServerHttpRequest request = context.request();
		List<Server> servers = pool.serversToTry(balancing);
		if (servers.isEmpty()) {
			return refuse(context, session, 503, "no available backend server", HandshakeOutcome.BACKEND_UNAVAILABLE,
					SERVER_ERROR);
		}
		io.netty.handler.codec.http.HttpHeaders headers = clientHeaders(request);
		BackendRequest edits = context.backendRequest();
		DefaultHttpHeaders backendHeaders = backendHeaders(context, headers);
		edits.applyHeaders(backendHeaders);
		DialRequest dial = new DialRequest(edits.pathAndQuery(), nonNull(headers.get(HttpHeaderNames.HOST)), edits.host(),
				backendHeaders,
				edits.subprotocols(BackendHeaders.subprotocols(headers)),
				passCompression ? Extensions.deflateOffer(headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS)) : null,
				MessageSizeLimit.frameLimit(pool.spec().serverMaxMsgSize()),
				pool.connectTimeout(), pool.tls(), eventLoop(request));
		return dial(context, pool, servers, dial)
			.flatMap(backend -> upgrade(context, pool, backend, session).thenReturn(Filter.CONTINUE))
			.onErrorResume(ex -> {
				if (ex instanceof BackendRefusedException refused) {
					return relayRefusal(context, session, refused);
				}
				if (ex instanceof BackendUnreachableException unreachable) {
					return refuse(context, session, 502, unreachable.getMessage(), HandshakeOutcome.BACKEND_UNREACHABLE,
							SERVER_ERROR);
				}
				return Mono.error(ex);
			});
	}

	/** Dials the servers in turn, within the dial's observation (a child of the handshake's). */
	Mono<BackendSession> dial(FilterContext context, ServerPool pool, List<Server> servers, DialRequest dial) {
		Observation dialing = tracing.startDial(context.observation(), dial.headers(), context.pipeline(), pool.name());
		Mono<BackendSession> dialled = dialer.dialFirst(servers, dial, pool);
		if (dialing.isNoop()) {
			// Not traced: nothing to tell the observations.
			return dialled;
		}
		return dialled.doOnSuccess(backend -> dialed(dialing, context, backend))
			.doOnError(error -> dialFailed(dialing, error))
			.doOnCancel(dialing::stop);
	}

	/** The client's request headers: Netty's, not Spring's view of them (see BackendHeaders). */
	static io.netty.handler.codec.http.HttpHeaders clientHeaders(ServerHttpRequest request) {
		return ((HttpServerRequest) ServerHttpRequestDecorator.getNativeRequest(request)).requestHeaders();
	}

	/** The headers for the backend before the filters' changes. */
	DefaultHttpHeaders backendHeaders(FilterContext context, io.netty.handler.codec.http.HttpHeaders client) {
		return BackendHeaders.build(client, context.info(), context.secure(), defaultOrigin);
	}

	/** Ends the dial's observation with the server that answered. */
	private static void dialed(Observation dialing, FilterContext context, BackendSession backend) {
		String server = backend.server().url();
		dialing.lowCardinalityKeyValue("server", server).lowCardinalityKeyValue("outcome", "connected").stop();
		context.observation().lowCardinalityKeyValue("server", server);
	}

	private static void dialFailed(Observation dialing, Throwable error) {
		dialing.lowCardinalityKeyValue("outcome", (error instanceof BackendRefusedException) ? "refused" : "unreachable")
			.error(error)
			.stop();
	}

	/**
	 * The request as pool selection and load balancing see it: the client's, with the identity headers
	 * that filters derived (a token's claims) in place of the client's own copies.
	 */
	static RequestInfo balancingView(FilterContext context) {
		Map<String, String> identity = context.backendRequest().identityHeaders();
		if (identity.isEmpty()) {
			return context.info();
		}
		HttpHeaders headers = new HttpHeaders();
		headers.addAll(context.info().headers());
		identity.forEach(headers::set);
		return context.info().withHeaders(headers);
	}

	private ProxyPool select(RequestInfo request) {
		for (ProxyPool candidate : candidates) {
			if (candidate.pool().matches(request)) {
				return candidate;
			}
		}
		return main;
	}

	/**
	 * Upgrades the client and starts the session, which runs on by itself: the pipeline ends with the
	 * 101, so nothing of the handshake (request, exchange, dial) stays referenced for the session's life.
	 */
	private Mono<Void> upgrade(FilterContext context, ServerPool pool, BackendSession backend, ProxySession session) {
		session.dialled(backend);
		HttpServerResponse response = ServerHttpResponseDecorator.getNativeResponse(context.response());
		for (String cookie : backend.responseHeaders().getAll(HttpHeaderNames.SET_COOKIE)) {
			response.addHeader(HttpHeaderNames.SET_COOKIE, cookie);
		}
		String sticky = pool.stickyCookie(backend.server(), () -> toSpring(backend.responseHeaders()));
		if (sticky != null) {
			response.addHeader(HttpHeaderNames.SET_COOKIE, sticky);
		}
		// Netty's handshaker puts these headers on the 101.
		String extensions = backend.extensions();
		boolean deflate = extensions != null;
		if (extensions != null) {
			response.header(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, extensions);
		}
		WebsocketServerSpec spec = serverSpec(MessageSizeLimit.frameLimit(pool.spec().clientMaxMsgSize()),
				backend.subprotocol());
		// Copied out: the session keeps nothing of the handshake's context.
		SessionPolicy policy = SessionPolicy.of(context.sessionGuards());
		context.markUpgraded();
		return response.sendWebsocket((in, out) -> {
			if (!session.upgraded()) {
				return Mono.empty();
			}
			FramePath.clientUpgraded((Connection) in, deflate);
			return session.relay(in, backend, policy, deflate, null);
		}, spec)
			// sendWebsocket completes once the client's 101 is written; the handler above runs detached.
			.doOnSuccess(written -> {
				if (session.wasUpgraded()) {
					context.endHandshake(HandshakeOutcome.UPGRADED.tag(), 101);
				}
			});
	}

	/** The client's WebSocket configuration: one per frame limit when no subprotocol is chosen. */
	private WebsocketServerSpec serverSpec(int maxFrameSize, @Nullable String subprotocol) {
		if (subprotocol != null) {
			return serverSpecBuilder(maxFrameSize).protocols(subprotocol).build();
		}
		return serverSpecs.computeIfAbsent(maxFrameSize, max -> serverSpecBuilder(max).build());
	}

	/** compress stays false: the endpoints compress. */
	private static WebsocketServerSpec.Builder serverSpecBuilder(int maxFrameSize) {
		return WebsocketServerSpec.builder().maxFramePayloadLength(maxFrameSize).handlePing(true).compress(false);
	}

	private Mono<String> relayRefusal(FilterContext context, ProxySession session, BackendRefusedException refused) {
		HttpHeaders target = context.response().getHeaders();
		refused.headers().forEach(header -> {
			if (!NOT_RELAYED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
				target.add(header.getKey(), header.getValue());
			}
		});
		return refuse(context, session, refused.status(),
				"backend refused the WebSocket handshake: HTTP " + refused.status(), HandshakeOutcome.BACKEND_REFUSED,
				(refused.status() < 500) ? CLIENT_ERROR : SERVER_ERROR);
	}

	/** Answers an HTTP status instead of upgrading, and reports the handshake as finished. */
	Mono<String> refuse(FilterContext context, ProxySession session, int status, String message,
			HandshakeOutcome outcome, String result) {
		context.endHandshake(outcome.tag(), status);
		session.refused(status, message, outcome);
		return context.respond(status, message).thenReturn(result);
	}

	private static HttpHeaders toSpring(io.netty.handler.codec.http.HttpHeaders netty) {
		HttpHeaders headers = new HttpHeaders();
		netty.forEach(h -> headers.add(h.getKey(), h.getValue()));
		return headers;
	}

	private static String httpVersion(ServerHttpRequest request) {
		return (ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty)
				? netty.version().text() : "HTTP/1.1";
	}

	static @Nullable EventLoop eventLoop(ServerHttpRequest request) {
		return (ServerHttpRequestDecorator.getNativeRequest(request) instanceof Connection netty)
				? netty.channel().eventLoop() : null;
	}

	static String nonNull(@Nullable String text) {
		return (text != null) ? text : "";
	}
}
