package io.wsgate.proxy.dial;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
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
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.context.Context;


/**
 * Opens WebSocket connections to backends with Reactor Netty's client. Each session gets its own
 * connection (never pooled), dialled from the client's event loop so both ends of a session
 * usually share one thread.
 *
 * <p>One client configuration serves every dial: what differs from one handshake to the next (the
 * headers, the Host, the subprotocols) reaches the request through the dial's context when the
 * client has prepared it ({@link #prepare}), and a dial is one subscriber ({@link Leg}) that times
 * the handshake and fails over, rather than a client configuration and a chain of operators built
 * for each handshake.
 */
public final class BackendDialer {

	private static final Log logger = LogFactory.getLog(BackendDialer.class);

	private final HttpClient client;

	private final GatewayMetrics metrics;

	/**
	 * The client's WebSocket configuration for a frame limit (pools have a few limits between them), for
	 * the dials that need nothing else of their own: plain ws://, no subprotocol offered.
	 */
	private final Map<Integer, HttpClient.WebsocketSender> plain = new ConcurrentHashMap<>();

	public BackendDialer(GatewayMetrics metrics, LoopResources loops) {
		this.metrics = metrics;
		this.client = HttpClient.create(ConnectionProvider.newConnection())
			.runOn(loops)
			// Failover between servers is ours; a silent retry would hide a dead backend.
			.disableRetry(true)
			.followRedirect(false)
			.doOnRequest(BackendDialer::prepare);
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
	 * Each outcome is reported to the pool's passive health. A server's session count (leastSessions
	 * reads it) covers its dial, so that concurrent handshakes see each other, and then lasts as long
	 * as the backend connection.
	 */
	public Mono<BackendSession> dialFirst(List<Server> servers, DialRequest request, ServerPool pool) {
		return Mono.create(sink -> {
			Attempt attempt = new Attempt(servers, request, pool, sink);
			sink.onCancel(attempt);
			attempt.dial(0);
		});
	}

	/**
	 * Puts the dial's own data on the request the client prepared, before its handshake is written:
	 * the forwarded headers as if they were the client's default headers (the library's User-Agent,
	 * Host and Accept only where they have none), and the handler that adjusts the handshake.
	 */
	private static void prepare(HttpClientRequest request, Connection connection) {
		Leg leg = request.currentContextView().getOrDefault(Leg.class, null);
		DialRequest dial = (leg != null) ? leg.request : null;
		if (leg == null || dial == null) {
			return;
		}
		HttpHeaders headers = request.requestHeaders();
		String agent = headers.get(HttpHeaderNames.USER_AGENT);
		String host = headers.get(HttpHeaderNames.HOST);
		String accept = headers.get(HttpHeaderNames.ACCEPT);
		headers.set(dial.headers());
		if (dial.extensions() != null) {
			headers.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, dial.extensions());
		}
		setIfAbsent(headers, HttpHeaderNames.USER_AGENT, agent);
		setIfAbsent(headers, HttpHeaderNames.HOST, host);
		setIfAbsent(headers, HttpHeaderNames.ACCEPT, accept);
		BackendHandshakeHandler.install(connection, leg.host, dial.subprotocols());
	}

	private static void setIfAbsent(HttpHeaders headers, CharSequence name, @Nullable String value) {
		if (value != null && !headers.contains(name)) {
			headers.set(name, value);
		}
	}

	/** The client's connection to {@code server}, its handshake not yet sent. */
	private Mono<? extends Connection> connect(Server server, DialRequest request) {
		return sender(server, request).uri(URI.create(server.uri() + request.pathAndQuery())).connect();
	}

	private HttpClient.WebsocketSender sender(Server server, DialRequest request) {
		if (!server.secure() && request.subprotocols() == null) {
			return plain.computeIfAbsent(request.maxFrameSize(), max -> client.websocket(spec(max).build()));
		}
		HttpClient http = client;
		if (server.secure() && server.hostName() != null) {
			// TLS (SNI and the certificate check) is for the name, not the address dialled.
			http = BackendTls.applyTo(request.tls(), http, server.hostName());
		}
		else if (server.secure() && request.tls() != null) {
			http = request.tls().applyTo(http);
		}
		WebsocketClientSpec.Builder spec = spec(request.maxFrameSize());
		if (request.subprotocols() != null) {
			spec.protocols(request.subprotocols());
		}
		return http.websocket(spec.build());
	}

	/** compress stays false: the gateway never compresses or inflates; the endpoints do (see Extensions). */
	private static WebsocketClientSpec.Builder spec(int maxFrameSize) {
		return WebsocketClientSpec.builder().maxFramePayloadLength(maxFrameSize).handlePing(true).compress(false);
	}

	/** The Host to send: null when the client library's (from the server's address) is the one. */
	private static @Nullable String host(Server server, DialRequest request) {
		// A server that is one address of a DNS name is dialled at the address and sent the name.
		return (request.host() != null) ? request.host()
				: (server.keepHost() && !request.clientHost().isEmpty()) ? request.clientHost() : server.hostHeader();
	}

	private static BackendSession session(Server server, Connection connection, @Nullable String offeredExtensions) {
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
				BackendHandshakeHandler.selectedSubprotocol(connection), extensions, response);
	}

	/** An answer other than 101 is the backend's refusal; a 101 that fails validation is a broken backend. */
	private static Throwable refusalOrSelf(Throwable ex, Server server) {
		if (ex instanceof WebSocketClientHandshakeException handshake && handshake.response() != null
				&& handshake.response().status().code() != 101) {
			return new BackendRefusedException(server, handshake.response().status().code(),
					handshake.response().headers());
		}
		return ex;
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

	/** One handshake's dial: the servers tried in turn, until one answers or none is left. */
	private final class Attempt implements Disposable {

		private final List<Server> servers;

		private final DialRequest request;

		private final ServerPool pool;

		private final MonoSink<BackendSession> sink;

		/** The server being dialled; null once the attempt is over. */
		private volatile @Nullable Leg current;

		private volatile boolean cancelled;

		Attempt(List<Server> servers, DialRequest request, ServerPool pool, MonoSink<BackendSession> sink) {
			this.servers = servers;
			this.request = request;
			this.pool = pool;
			this.sink = sink;
		}

		void dial(int index) {
			Server server = servers.get(index);
			Leg leg = new Leg(this, index, server, host(server, request), request, pool.countSession(server));
			current = leg;
			if (cancelled) {
				leg.cancel();
				return;
			}
			leg.start(request.eventLoop());
		}

		Mono<? extends Connection> connect(Server server, DialRequest dial) {
			return BackendDialer.this.connect(server, dial);
		}

		void connected(Leg leg, BackendSession session) {
			current = null;
			session.connection().channel().closeFuture().addListener(closed -> leg.count.release());
			pool.recordDialSuccess(leg.server);
			if (cancelled) {
				// Nobody waits for it any more.
				session.connection().dispose();
				return;
			}
			sink.success(session);
		}

		void failed(Leg leg, Throwable ex) {
			leg.count.release();
			Server server = leg.server;
			if (ex instanceof BackendRefusedException refused) {
				current = null;
				metrics.server(pool, server).dialFailed(DialError.HANDSHAKE);
				if (refused.status() >= 500) {
					pool.recordDialFailure(server, "handshake answered HTTP " + refused.status());
				}
				sink.error(refused);
				return;
			}
			metrics.server(pool, server).dialFailed(classify(ex));
			String reason = describe(ex, request.timeout());
			logger.warn(pool + ": dial to " + server + " failed: " + reason);
			pool.recordDialFailure(server, "dial failed: " + reason);
			if (leg.index + 1 < servers.size()) {
				dial(leg.index + 1);
				return;
			}
			current = null;
			sink.error(new BackendUnreachableException(
					servers.size() == 1 ? "backend unreachable" : "no backend of " + servers.size() + " reachable"));
		}

		/** Ends the attempt with {@code error} (null: empty), whatever servers are left. */
		void abort(Leg leg, @Nullable Throwable error) {
			current = null;
			leg.count.release();
			if (error != null) {
				sink.error(error);
			}
			else {
				sink.success();
			}
		}

		/** The handshake was cancelled (the client left, or the gateway gave up on it). */
		@Override
		public void dispose() {
			cancelled = true;
			Leg leg = current;
			if (leg != null) {
				leg.cancel();
			}
		}
	}

	/**
	 * The dial of one server: subscribes to the client's connection and times its handshake, on the
	 * client connection's event loop when there is one. Reactor Netty keeps the subscriber of a
	 * connection for as long as the connection lives, and its context with it: once it has answered,
	 * a leg lets go of the request and of the attempt, so that nothing of the handshake lives as long
	 * as the session. Its context carries it to {@link #prepare}.
	 */
	private static final class Leg implements CoreSubscriber<Connection>, Runnable {

		final int index;

		final Server server;

		final ServerPool.SessionCount count;

		/** The Host to send, null: the client library's. */
		final @Nullable String host;

		/** Read by {@link #prepare}; null once the leg is over. */
		volatile @Nullable DialRequest request;

		private @Nullable Attempt attempt;

		private final Context context;

		private volatile @Nullable Subscription subscription;

		private volatile @Nullable Disposable timer;

		Leg(Attempt attempt, int index, Server server, @Nullable String host, DialRequest request,
				ServerPool.SessionCount count) {
			this.attempt = attempt;
			this.index = index;
			this.server = server;
			this.host = host;
			this.request = request;
			this.count = count;
			this.context = Context.of(Leg.class, this);
		}

		void start(@Nullable EventLoop loop) {
			if (loop == null || loop.inEventLoop()) {
				subscribe();
				return;
			}
			// The event loops are colocated: a connection opened from a loop's thread is registered on
			// that loop. A dial started from elsewhere switches to it first.
			try {
				loop.execute(this::subscribe);
			}
			catch (RejectedExecutionException ex) {
				Attempt owner = finish();
				if (owner != null) {
					owner.failed(this, ex);
				}
			}
		}

		private void subscribe() {
			DialRequest dial = request;
			Attempt owner = current();
			if (dial == null || owner == null) {
				return;
			}
			Mono<? extends Connection> connect;
			try {
				connect = owner.connect(server, dial);
			}
			catch (RuntimeException ex) {
				// Not the server's failure (a path no URI accepts): the handshake fails as a whole.
				if (finish() != null) {
					owner.abort(this, ex);
				}
				return;
			}
			timer = schedule(dial);
			connect.subscribe(this);
		}

		/** Arms the dial's timeout on the loop, where the connection's events arrive too. */
		private Disposable schedule(DialRequest dial) {
			long nanos = dial.timeout().toNanos();
			EventLoop loop = dial.eventLoop();
			if (loop == null) {
				return Schedulers.parallel().schedule(this, nanos, TimeUnit.NANOSECONDS);
			}
			try {
				ScheduledFuture<?> scheduled = loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
				return () -> scheduled.cancel(false);
			}
			catch (RejectedExecutionException ex) {
				// The loop is shutting down, and its connections with it: nothing left to wait for.
				return Schedulers.parallel().schedule(this);
			}
		}

		@Override
		public Context currentContext() {
			return context;
		}

		@Override
		public void onSubscribe(Subscription s) {
			subscription = s;
			if (current() == null) {
				s.cancel();
				return;
			}
			s.request(Long.MAX_VALUE);
		}

		@Override
		public void onNext(Connection connection) {
			DialRequest dial = request;
			Attempt owner = (dial != null) ? finish() : null;
			if (dial == null || owner == null) {
				connection.dispose();
				return;
			}
			BackendSession session;
			try {
				session = session(server, connection, dial.extensions());
			}
			catch (RuntimeException ex) {
				owner.failed(this, ex);
				return;
			}
			owner.connected(this, session);
		}

		@Override
		public void onError(Throwable error) {
			Attempt owner = finish();
			if (owner != null) {
				owner.failed(this, refusalOrSelf(error, server));
			}
		}

		@Override
		public void onComplete() {
			Attempt owner = finish();
			if (owner != null) {
				// Not expected of a WebSocket client, which answers with a connection or an error.
				owner.abort(this, null);
			}
		}

		/** The timeout. */
		@Override
		public void run() {
			DialRequest dial = request;
			Attempt owner = (dial != null) ? finish() : null;
			if (dial == null || owner == null) {
				return;
			}
			Subscription s = subscription;
			if (s != null) {
				// Closes the connection, if it was opened.
				s.cancel();
			}
			owner.failed(this, new TimeoutException(
					"Did not observe any item or terminal signal within " + dial.timeout().toMillis() + "ms"));
		}

		/** Cancelled with the handshake: the connection is closed, if it was opened. */
		void cancel() {
			if (finish() != null) {
				count.release();
				Subscription s = subscription;
				if (s != null) {
					s.cancel();
				}
			}
		}

		private synchronized @Nullable Attempt current() {
			return attempt;
		}

		/**
		 * Ends the leg, once: returns its attempt to the one caller that ends it (the connection, an
		 * error, the timeout or a cancel), which reports to it; null to the others.
		 */
		private @Nullable Attempt finish() {
			Attempt owner;
			synchronized (this) {
				owner = attempt;
				attempt = null;
				request = null;
			}
			Disposable armed = timer;
			if (owner != null && armed != null) {
				timer = null;
				armed.dispose();
			}
			return owner;
		}
	}
}
