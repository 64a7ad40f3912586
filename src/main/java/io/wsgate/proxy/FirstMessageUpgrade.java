package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.SessionGuards;
import io.wsgate.pipeline.SessionGuards.FirstMessageCheck;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.FirstMessageReader.Failure;
import io.wsgate.proxy.dial.BackendDialer.DialRequest;
import io.wsgate.proxy.dial.BackendHeaders;
import io.wsgate.proxy.dial.BackendRefusedException;
import io.wsgate.proxy.dial.BackendSession;
import io.wsgate.proxy.dial.BackendUnreachableException;
import io.wsgate.proxy.dial.LoopTimeout;
import io.wsgate.proxy.frame.FramePath;
import io.wsgate.proxy.frame.MessageSizeLimit;
import io.wsgate.proxy.session.CloseCodes;
import io.wsgate.proxy.session.ProxySession;
import io.wsgate.proxy.session.ProxySession.SessionPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * The proxy's way through a handshake that carries a first-message check (a token the client sends
 * as its first message, because a browser cannot set headers on a WebSocket): the client is upgraded
 * first, its first message is read and checked, and only a valid one gets a backend, dialled with the
 * handshake as the check changed it (identity headers), so a backend never sees an unauthenticated
 * client. Then the session relays as any other.
 *
 * <p>What the 101 answers before the backend is known: the first subprotocol the client offered
 * (that no filter removed), which is then the only one offered to the backend (a backend that selects
 * none is closed as a refusal: the client was promised it); no extension (permessage-deflate cannot be
 * agreed before the backend's answer); no backend cookie.
 */
final class FirstMessageUpgrade {

	private static final Log logger = LogFactory.getLog(FirstMessageUpgrade.class);

	/** How long an upgraded client that is refused may take to close before its connection is dropped. */
	private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

	/** The longest close reason, in bytes, that fits a close frame's payload (RFC 6455 5.5). */
	private static final int MAX_CLOSE_REASON = 123;

	private final WebSocketProxyFilter proxy;

	FirstMessageUpgrade(WebSocketProxyFilter proxy) {
		this.proxy = proxy;
	}

	/**
	 * Upgrades the client, then runs its session detached (first message, check, dial, relay); the
	 * pipeline ends with the 101. The session keeps its place once the client is upgraded.
	 */
	Mono<String> upgrade(FilterContext context, ProxySession session, ServerPool pool, FirstMessageCheck check) {
		if (pool.healthyServers().isEmpty()) {
			// Still an HTTP answer: nothing is upgraded when no server could take the session anyway. The
			// server itself is picked after the check (whose identity headers load balancing sees), and
			// only then, so that round robin advances once per session.
			return proxy.refuse(context, session, 503, "no available backend server",
					HandshakeOutcome.BACKEND_UNAVAILABLE, WebSocketProxyFilter.SERVER_ERROR);
		}
		HttpHeaders clientHeaders = WebSocketProxyFilter.clientHeaders(context.request());
		String subprotocol = firstOffered(context.backendRequest().subprotocols(BackendHeaders.subprotocols(clientHeaders)));
		Pending pending = new Pending(context, pool, session, check, subprotocol,
				WebSocketProxyFilter.nonNull(clientHeaders.get(HttpHeaderNames.HOST)),
				proxy.backendHeaders(context, clientHeaders), WebSocketProxyFilter.eventLoop(context.request()));
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			.maxFramePayloadLength(MessageSizeLimit.frameLimit(pool.spec().clientMaxMsgSize()))
			.handlePing(true)
			.compress(false);
		if (subprotocol != null) {
			spec.protocols(subprotocol);
		}
		session.promisedSubprotocol(subprotocol);
		HttpServerResponse response = ServerHttpResponseDecorator.getNativeResponse(context.response());
		context.markUpgraded();
		return response.sendWebsocket((in, out) -> session.upgraded() ? session(pending, in, out) : Mono.empty(),
				spec.build())
			// The handshake's span ends with the client's 101; the dial's, after the check, is its child.
			.then(Mono.fromRunnable(() -> context.endHandshake(HandshakeOutcome.UPGRADED.tag(), 101)))
			.thenReturn(Filter.CONTINUE);
	}

	/** The session of an upgraded client: first message, check, dial, relay; or a close and its end. */
	private Mono<Void> session(Pending pending, WebsocketInbound in, WebsocketOutbound out) {
		Connection client = (Connection) in;
		FramePath.clientUpgraded(client, false);
		FirstMessageReader reader = new FirstMessageReader(maxFirstMessage(pending.pool));
		FramePath.readFirstMessage(client, reader);
		EventLoop loop = client.channel().eventLoop();
		Mono<Admitted> admission = LoopTimeout
			.timeout(reader.message().flatMap(text -> checked(pending, text)), pending.check.timeout(), loop, null)
			.onErrorMap(TimeoutException.class,
					ex -> Failure.rejected(CloseCodes.POLICY_VIOLATION, "no valid first message in time"))
			.flatMap(text -> dial(pending).map(backend -> new Admitted(text, backend)))
			// A client gone meanwhile cancels the check or the dial.
			.takeUntilOther(client.onDispose())
			.switchIfEmpty(Mono.error(() -> Failure.clientGone(CloseCodes.ABNORMAL, "client left before its session started")))
			.onErrorMap(ex -> !(ex instanceof Failure), FirstMessageUpgrade::unexpected);
		AtomicReference<Failure> failed = new AtomicReference<>();
		// Through a future: the session keeps nothing of the admission's operators (or its context).
		return Mono.fromFuture(admission::toFuture)
			.flatMap(admitted -> onLoop(loop, () -> relay(pending, admitted, reader, in)))
			.onErrorResume(Failure.class, failure -> onLoop(loop, () -> {
				failed.set(failure);
				reader.discard();
				return close(client, out, failure);
			}))
			// However it ends before relaying (closed, or cancelled with its connection): the session
			// ends, once, unless it relayed (then it ended at the end of its relay).
			.doFinally(signal -> {
				Failure failure = (failed.get() != null) ? failed.get()
						: Failure.clientGone(CloseCodes.ABNORMAL, "client left before its session started");
				pending.session.endedBeforeRelay(failure.outcome, failure.code, failure.initiator, failure.reason,
						(failure.outcome == HandshakeOutcome.FIRST_MESSAGE_REJECTED)
								? pending.guards.firstMessageFilter() : null);
			});
	}

	/** The first message when the check accepts it, else a {@link Failure}. */
	private Mono<String> checked(Pending pending, String text) {
		return Mono.defer(() -> pending.check.check(text, pending.edits, pending.guards))
			.onErrorMap(ex -> {
				logger.warn("first-message check of filter '" + pending.guards.firstMessageFilter() + "' failed: "
						+ ex.getClass().getSimpleName());
				return Failure.rejected(CloseCodes.INTERNAL_ERROR, "first message check failed");
			})
			.flatMap(reason -> Mono.<String>error(Failure.rejected(CloseCodes.POLICY_VIOLATION,
					reason.isBlank() ? "first message refused" : reason)))
			.then(Mono.just(text));
	}

	/** Dials with the handshake as the filters and the check left it; their identity headers pick the server. */
	private Mono<BackendSession> dial(Pending pending) {
		FilterContext context = Objects.requireNonNull(pending.context, "the session relays already");
		ServerPool pool = pending.pool;
		List<Server> servers = pool.serversToTry(WebSocketProxyFilter.balancingView(context));
		if (servers.isEmpty()) {
			return Mono.error(Failure.backend(CloseCodes.TRY_AGAIN_LATER, "no available backend server",
					HandshakeOutcome.BACKEND_UNAVAILABLE));
		}
		BackendRequest edits = pending.edits;
		edits.applyHeaders(pending.backendHeaders);
		DialRequest dial = new DialRequest(edits.pathAndQuery(), pending.clientHost, edits.host(), pending.backendHeaders,
				pending.subprotocol, null, MessageSizeLimit.frameLimit(pool.spec().serverMaxMsgSize()),
				pool.connectTimeout(), pool.tls(), pending.loop);
		return proxy.dial(context, pool, servers, dial)
			.doOnNext(pending.session::dialled)
			.onErrorMap(BackendRefusedException.class, ex -> Failure.backend(CloseCodes.BAD_GATEWAY,
					"backend refused the WebSocket handshake: HTTP " + ex.status(), HandshakeOutcome.BACKEND_REFUSED))
			.onErrorMap(BackendUnreachableException.class, ex -> Failure.backend(CloseCodes.BAD_GATEWAY, ex.getMessage(),
					HandshakeOutcome.BACKEND_UNREACHABLE))
			.flatMap(backend -> {
				if (pending.subprotocol != null && !pending.subprotocol.equals(backend.subprotocol())) {
					backend.connection().close();
					return Mono.error(Failure.backend(CloseCodes.BAD_GATEWAY, "backend selected no subprotocol",
							HandshakeOutcome.BACKEND_REFUSED));
				}
				return Mono.just(backend);
			});
	}

	/**
	 * Starts the relay, the held frames first (after the first message when it is forwarded); on the
	 * client's event loop.
	 */
	private Mono<Void> relay(Pending pending, Admitted admitted, FirstMessageReader reader, WebsocketInbound in) {
		Mono<Void> relay = pending.session.relay(in, admitted.backend(), SessionPolicy.of(pending.guards), false,
				pending.check.forward() ? admitted.firstMessage() : null);
		// The relay's forwarders are in place and it reads nothing until subscribed: the held frames first.
		reader.handOver();
		pending.forgetHandshake();
		return relay;
	}

	/** Closes the client (unless it closed already) and waits for its connection to end. */
	private static Mono<Void> close(Connection client, WebsocketOutbound out, Failure failure) {
		Mono<Void> sent = failure.clientClosed ? Mono.empty()
				: Mono.defer(() -> out.sendClose(failure.code, closeReason(failure.reason))).onErrorResume(ex -> Mono.empty());
		return sent.then(LoopTimeout.timeout(client.onDispose(), CLOSE_GRACE, client.channel().eventLoop(),
				Mono.fromRunnable(client::dispose)));
	}

	private static Failure unexpected(Throwable error) {
		logger.warn("session before its first message failed: " + error);
		return Failure.rejected(CloseCodes.INTERNAL_ERROR, "internal gateway error");
	}

	/** Runs {@code work} on {@code loop}: at once when already there. */
	private static <T> Mono<T> onLoop(EventLoop loop, Supplier<Mono<T>> work) {
		Mono<T> deferred = Mono.defer(work);
		return Mono.defer(() -> loop.inEventLoop() ? deferred : deferred.subscribeOn(Schedulers.fromExecutor(loop)));
	}

	/** The pool's clientMaxMsgSize, at most {@link FirstMessageReader#MAX_SIZE}. */
	static long maxFirstMessage(ServerPool pool) {
		long limit = pool.spec().clientMaxMsgSize();
		return (limit < 0) ? FirstMessageReader.MAX_SIZE : Math.min(limit, FirstMessageReader.MAX_SIZE);
	}

	/** The first of a comma-separated offer; null when it offers none. */
	static @Nullable String firstOffered(@Nullable String offer) {
		if (offer == null) {
			return null;
		}
		for (String protocol : offer.split(",")) {
			if (!protocol.isBlank()) {
				return protocol.trim();
			}
		}
		return null;
	}

	/** A close reason cut to what a close frame holds, on a character boundary. */
	static String closeReason(String reason) {
		if (reason.getBytes(StandardCharsets.UTF_8).length <= MAX_CLOSE_REASON) {
			return reason;
		}
		StringBuilder cut = new StringBuilder();
		int bytes = 0;
		for (int i = 0; i < reason.length(); i = reason.offsetByCodePoints(i, 1)) {
			String next = new String(Character.toChars(reason.codePointAt(i)));
			bytes += next.getBytes(StandardCharsets.UTF_8).length;
			if (bytes > MAX_CLOSE_REASON) {
				break;
			}
			cut.append(next);
		}
		return cut.toString();
	}

	/** The first message accepted and the backend dialled for it. */
	private record Admitted(String firstMessage, BackendSession backend) {
	}

	/** What the session needs of its handshake until it relays. */
	private static final class Pending {

		/** Until the session relays: then it keeps nothing of the handshake. */
		@Nullable FilterContext context;

		final ServerPool pool;

		final ProxySession session;

		final FirstMessageCheck check;

		final BackendRequest edits;

		final SessionGuards guards;

		final @Nullable String subprotocol;

		final String clientHost;

		final DefaultHttpHeaders backendHeaders;

		final @Nullable EventLoop loop;

		Pending(FilterContext context, ServerPool pool, ProxySession session, FirstMessageCheck check,
				@Nullable String subprotocol, String clientHost, DefaultHttpHeaders backendHeaders, @Nullable EventLoop loop) {
			this.context = context;
			this.pool = pool;
			this.session = session;
			this.check = check;
			this.edits = context.backendRequest();
			this.guards = context.sessionGuards();
			this.subprotocol = subprotocol;
			this.clientHost = clientHost;
			this.backendHeaders = backendHeaders;
			this.loop = loop;
		}

		void forgetHandshake() {
			context = null;
			backendHeaders.clear();
		}
	}
}
