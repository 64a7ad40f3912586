package io.wsgate.proxy.dial;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ServerMeters.DialError;
import io.wsgate.pool.BackendTls;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.frame.FramePath;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;


/**
 * Opens WebSocket connections to backends with Reactor Netty's client. Each session gets its own
 * connection (never pooled), dialled from the client's event loop so both ends of a session
 * usually share one thread.
 */
public final class BackendDialer {

	private static final Log logger = LogFactory.getLog(BackendDialer.class);

	private final HttpClient client;

	private final GatewayMetrics metrics;

	public BackendDialer(GatewayMetrics metrics, LoopResources loops) {
		this.metrics = metrics;
		this.client = HttpClient.create(ConnectionProvider.newConnection())
			.runOn(loops)
			// Failover between servers is ours; a silent retry would hide a dead backend.
			.disableRetry(true)
			.followRedirect(false);
	}

	/**
	 * What to send to the backend.
	 *
	 * @param pathAndQuery the client's raw path and query
	 * @param clientHost the client's Host header (used with keepHost)
	 * @param host the Host to send whatever the server says (a RequestAdaptor's {@code host}); null: the server's
	 * @param headers the headers to forward
	 * @param subprotocols the client's offered subprotocols, comma-separated; null when none
	 * @param extensions the extensions to offer (permessage-deflate only, see {@link Extensions}); null when none
	 * @param maxFrameSize Netty's frame limit for frames from the backend
	 * @param timeout the time allowed to connect and complete the handshake
	 * @param tls the pool's TLS for wss:// servers; null for the defaults
	 * @param eventLoop the client connection's event loop (null: any): the backend connection is opened
	 * on it, so that one thread serves both sides of the session and frames cross without a hand-off
	 */
	public record DialRequest(String pathAndQuery, String clientHost, @Nullable String host, HttpHeaders headers,
			@Nullable String subprotocols, @Nullable String extensions, int maxFrameSize, Duration timeout,
			@Nullable BackendTls tls, @Nullable EventLoop eventLoop) {
	}

	/**
	 * Dials the servers in order until one answers the handshake. A connection failure or timeout
	 * moves on to the next server; an HTTP answer other than 101 stops with
	 * {@link BackendRefusedException}; when every server failed, {@link BackendUnreachableException}.
	 */
	public Mono<BackendSession> dialFirst(List<Server> servers, DialRequest request, ServerPool pool) {
		return dialFrom(servers, 0, request, pool);
	}

	/**
	 * Dials servers[index], reporting each outcome to the pool's passive health. The server's session
	 * count (leastSessions reads it) covers the dial, so that concurrent handshakes see each other,
	 * and then lasts as long as the backend connection.
	 */
	private Mono<BackendSession> dialFrom(List<Server> servers, int index, DialRequest request, ServerPool pool) {
		Server server = servers.get(index);
		ServerPool.SessionCount count = pool.countSession(server);
		AtomicBoolean connected = new AtomicBoolean();
		return dial(server, request).doOnNext(session -> {
			connected.set(true);
			// A listener on the channel, not a Reactor subscription kept for the connection's life.
			session.connection().channel().closeFuture().addListener(closed -> count.release());
			pool.recordDialSuccess(server);
		}).doFinally(signal -> {
			if (!connected.get()) {
				count.release();
			}
		}).onErrorResume(ex -> {
			if (ex instanceof BackendRefusedException refused) {
				metrics.server(pool, server).dialFailed(DialError.HANDSHAKE);
				if (refused.status() >= 500) {
					pool.recordDialFailure(server, "handshake answered HTTP " + refused.status());
				}
				return Mono.error(refused);
			}
			metrics.server(pool, server).dialFailed(classify(ex));
			String reason = describe(ex, request.timeout());
			logger.warn(pool + ": dial to " + server + " failed: " + reason);
			pool.recordDialFailure(server, "dial failed: " + reason);
			if (index + 1 < servers.size()) {
				return dialFrom(servers, index + 1, request, pool);
			}
			return Mono.error(new BackendUnreachableException(
					servers.size() == 1 ? "backend unreachable" : "no backend of " + servers.size() + " reachable"));
		});
	}

	Mono<BackendSession> dial(Server server, DialRequest request) {
		// A server that is one address of a DNS name is dialled at the address and sent the name.
		String host = (request.host() != null) ? request.host()
				: (server.keepHost() && !request.clientHost().isEmpty()) ? request.clientHost() : server.hostHeader();
		// compress stays false: the gateway never compresses or inflates; the endpoints do (see Extensions).
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder()
			.maxFramePayloadLength(request.maxFrameSize())
			.handlePing(true)
			.compress(false);
		if (request.subprotocols() != null) {
			spec.protocols(request.subprotocols());
		}
		// The client keeps its copy of the headers for the connection's life: the session forgets it.
		@Nullable HttpHeaders[] kept = new HttpHeaders[1];
		HttpClient http = BackendHandshakeHandler.install(client.headers(h -> {
			h.set(request.headers());
			if (request.extensions() != null) {
				h.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, request.extensions());
			}
			kept[0] = h;
		}), host, request.subprotocols());
		if (server.secure() && server.hostName() != null) {
			// TLS (SNI and the certificate check) is for the name, not the address dialled.
			http = BackendTls.applyTo(request.tls(), http, server.hostName());
		}
		else if (server.secure() && request.tls() != null) {
			http = request.tls().applyTo(http);
		}
		Mono<? extends Connection> connect = http.websocket(spec.build())
			.uri(URI.create(server.uri() + request.pathAndQuery()))
			.connect();
		EventLoop loop = request.eventLoop();
		// The event loops are colocated: a connection opened from a loop's thread is registered on that
		// loop. Failures and the dial timeout are signalled on the loop; anything that is not (a dial
		// started from elsewhere) switches to it first.
		Mono<? extends Connection> onLoop = (loop == null) ? connect
				: Mono.defer(() -> loop.inEventLoop() ? connect : connect.subscribeOn(Schedulers.fromExecutor(loop)));
		// Reactor Netty keeps the subscriber of connect() for as long as the connection lives: a future in
		// between keeps the rest of the handshake (the operators below, the client's request and exchange)
		// from living as long as the session. Cancelling the future (a timeout) still cancels the dial.
		return LoopTimeout.timeout(Mono.fromFuture(onLoop::toFuture), request.timeout(), loop, null)
			.map(connection -> session(server, connection, kept[0], request.extensions()))
			.onErrorMap(WebSocketClientHandshakeException.class, ex -> isRefusal(ex)
					? new BackendRefusedException(server, ex.response().status().code(), ex.response().headers()) : ex);
	}

	private static BackendSession session(Server server, Connection connection, @Nullable HttpHeaders dialHeaders,
			@Nullable String offeredExtensions) {
		HttpHeaders response = ((HttpClientResponse) connection).responseHeaders();
		List<String> answers = response.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		@Nullable String extensions = answers.isEmpty() ? null : String.join(", ", answers);
		String fault = Extensions.answerFault(extensions, offeredExtensions);
		if (fault != null) {
			// Netty's client checks no extension it did not install a handler for: a broken backend,
			// failed as one that answers a bad Sec-WebSocket-Accept (the next server is tried).
			connection.dispose();
			throw new WebSocketClientHandshakeException(fault);
		}
		FramePath.backendConnected(connection, extensions != null);
		return new BackendSession(server, connection, (WebsocketInbound) connection, (WebsocketOutbound) connection,
				BackendHandshakeHandler.selectedSubprotocol(connection), extensions, response, dialHeaders);
	}

	/** An HTTP answer other than 101; a 101 that fails validation is a broken backend, not a refusal. */
	private static boolean isRefusal(WebSocketClientHandshakeException ex) {
		return ex.response() != null && ex.response().status().code() != 101;
	}

	private static DialError classify(Throwable ex) {
		if (ex instanceof TimeoutException) {
			return DialError.TIMEOUT;
		}
		if (ex instanceof WebSocketHandshakeException || ex instanceof DecoderException) {
			return DialError.PROTOCOL;
		}
		return DialError.CONNECT;
	}

	private static String describe(Throwable ex, Duration timeout) {
		if (ex instanceof TimeoutException) {
			return "no handshake within " + timeout.toMillis() + "ms";
		}
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}
}
