package io.wsgate.proxy.dial;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ServerMeters.DialError;
import io.wsgate.pool.BackendTls;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.frame.FramePath;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.resources.LoopResources;

/**
 * Opens WebSocket connections to backends on plain Netty: a channel per session (never pooled),
 * registered on the client connection's event loop so that one thread serves both sides of a
 * session and frames cross without a hand-off, with Netty's HTTP codec and client handshaker and a
 * {@link BackendConnection} at its end.
 *
 * <p>Why not Reactor Netty's {@code HttpClient}, as the rest of the gateway's clients: its dial is a
 * chain of operators and a client configuration per dial, and its connection keeps the dial's
 * subscriber, configuration and header maps for the connection's life; a held session is mostly idle
 * memory, and a reconnect storm is mostly handshakes (bench/README measures both).
 */
public final class BackendDialer implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(BackendDialer.class);

	private final GatewayMetrics metrics;

	private final LoopResources loops;

	/** The gateway's event loops, as a client sees them (a dial without a client loop takes one). */
	private final EventLoopGroup group;

	/** Every dial's channel type and options; cloned with the dial's event loop. */
	private final Bootstrap bootstrap;

	/** Netty's non-blocking DNS resolver, made on the first dial of a server by name. */
	private volatile @Nullable DnsAddressResolverGroup resolver;

	public BackendDialer(GatewayMetrics metrics, LoopResources loops) {
		this.metrics = metrics;
		this.loops = loops;
		this.group = loops.onClient(LoopResources.DEFAULT_NATIVE);
		this.bootstrap = new Bootstrap().group(group)
			.channel(loops.onChannelClass(SocketChannel.class, group))
			.option(ChannelOption.TCP_NODELAY, true);
	}

	/**
	 * What to send to the backend.
	 *
	 * @param pathAndQuery the client's raw path and query
	 * @param clientHost the client's Host header (used with keepHost)
	 * @param host the Host to send whatever the server says (a RequestAdaptor's {@code host}); null: the server's
	 * @param headers the headers to forward; the dial adds the Host and the extensions offered to them
	 * @param subprotocols the client's offered subprotocols, comma-separated; null when none
	 * @param extensions the extensions to offer (permessage-deflate only, see {@link Extensions}); null when none
	 * @param maxFrameSize Netty's frame limit for frames from the backend
	 * @param timeout the time allowed to connect and complete the handshake
	 * @param tls the pool's TLS for wss:// servers; null for the defaults
	 * @param eventLoop the client connection's event loop (null: any): the backend connection is
	 * registered on it
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

	@Override
	public void close() {
		DnsAddressResolverGroup made = resolver;
		if (made != null) {
			made.close();
		}
	}

	/** The Host to send: null when the handshaker's (from the server's address) is the one. */
	private static @Nullable String host(Server server, DialRequest request) {
		// A server that is one address of a DNS name is dialled at the address and sent the name.
		return (request.host() != null) ? request.host()
				: (server.keepHost() && !request.clientHost().isEmpty()) ? request.clientHost() : server.hostHeader();
	}

	private DnsAddressResolverGroup resolver() {
		DnsAddressResolverGroup made = resolver;
		if (made == null) {
			synchronized (this) {
				made = resolver;
				if (made == null) {
					made = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
						.datagramChannelType(loops.onChannelClass(DatagramChannel.class, group)));
					resolver = made;
				}
			}
		}
		return made;
	}

	/** The backend's answer once it upgraded: the extensions it accepted are checked against the offer. */
	private static BackendSession session(Server server, BackendConnection connection, HttpHeaders response,
			@Nullable String subprotocol, @Nullable String offeredExtensions) {
		List<String> answers = response.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		@Nullable String extensions = answers.isEmpty() ? null : String.join(", ", answers);
		String fault = Extensions.answerFault(extensions, offeredExtensions);
		if (fault != null) {
			// Netty's handshaker checks no extension: a broken backend, failed as one that answers a
			// bad Sec-WebSocket-Accept (the next server is tried).
			throw new WebSocketClientHandshakeException(fault);
		}
		FramePath.backendConnected(connection.channel(), extensions != null);
		return new BackendSession(server, connection, subprotocol, extensions, response);
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
			Leg leg = new Leg(this, index, server, request, pool.countSession(server));
			current = leg;
			if (cancelled) {
				leg.cancel();
				return;
			}
			leg.start(host(server, request));
		}

		void connected(Leg leg, BackendSession session) {
			current = null;
			session.connection().channel().closeFuture().addListener(closed -> leg.count.release());
			pool.recordDialSuccess(leg.server);
			if (cancelled) {
				// Nobody waits for it any more.
				session.connection().close();
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

		/** Ends the attempt with {@code error}, whatever servers are left. */
		void abort(Leg leg, Throwable error) {
			current = null;
			leg.count.release();
			sink.error(error);
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
	 * The dial of one server: opens its channel, which sends the handshake once connected, and times
	 * the whole on the channel's event loop. Once the backend answered, a leg lets go of the request
	 * and of the attempt: nothing of the handshake lives as long as the session.
	 */
	private final class Leg extends ChannelInitializer<Channel>
			implements ChannelFutureListener, BackendConnection.HandshakeListener, Runnable {

		final int index;

		final Server server;

		final ServerPool.SessionCount count;

		/** Null once the leg is over. */
		private volatile @Nullable DialRequest request;

		private @Nullable Attempt attempt;

		/** The backend channel, once opened. */
		private volatile @Nullable Channel channel;

		private volatile @Nullable ScheduledFuture<?> timer;

		/** Made before the channel, handed to its {@link BackendConnection}. */
		private volatile @Nullable WebSocketClientHandshaker handshaker;

		Leg(Attempt attempt, int index, Server server, DialRequest request, ServerPool.SessionCount count) {
			this.attempt = attempt;
			this.index = index;
			this.server = server;
			this.request = request;
			this.count = count;
		}

		/** @param host the Host to send; null: the handshaker's, from the server's address */
		void start(@Nullable String host) {
			DialRequest dial = request;
			Attempt owner = current();
			if (dial == null || owner == null) {
				return;
			}
			HttpHeaders headers = dial.headers();
			// The headers are the attempt's: each leg sets its own Host (the legs take turns).
			if (host != null) {
				headers.set(HttpHeaderNames.HOST, host);
			}
			else {
				headers.remove(HttpHeaderNames.HOST);
			}
			if (dial.extensions() != null) {
				headers.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, dial.extensions());
			}
			try {
				handshaker = WebSocketClientHandshakerFactory.newHandshaker(
						URI.create(server.uri() + dial.pathAndQuery()), WebSocketVersion.V13, dial.subprotocols(), true,
						headers, dial.maxFrameSize(), true, false, -1, false, false);
			}
			catch (RuntimeException ex) {
				// Not the server's failure (a path no URI accepts): the handshake fails as a whole.
				if (finish() != null) {
					owner.abort(this, ex);
				}
				return;
			}
			InetSocketAddress address = server.socketAddress();
			EventLoop loop = (dial.eventLoop() != null) ? dial.eventLoop() : group.next();
			Bootstrap dialling = bootstrap.clone(loop).handler(this);
			if (address.isUnresolved()) {
				dialling.resolver(resolver());
			}
			try {
				timer = loop.schedule(this, dial.timeout().toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				// The loop is shutting down.
				failed(ex);
				return;
			}
			ChannelFuture connecting = dialling.connect(address);
			channel = connecting.channel();
			connecting.addListener(this);
			if (current() == null) {
				// Cancelled meanwhile.
				connecting.channel().close();
			}
		}

		/** The channel's handlers: TLS for wss://, the HTTP codec until the 101, the backend's end. */
		@Override
		protected void initChannel(Channel ch) {
			DialRequest dial = request;
			WebSocketClientHandshaker sending = handshaker;
			handshaker = null;
			if (dial == null || sending == null) {
				ch.close();
				return;
			}
			ChannelPipeline pipeline = ch.pipeline();
			if (server.secure()) {
				pipeline.addLast(BackendTls.handler(dial.tls(), ch.alloc(), server.uri().getHost(),
						server.uri().getPort(), server.hostName()));
			}
			pipeline.addLast(new HttpClientCodec());
			pipeline.addLast(BackendConnection.NAME, new BackendConnection(ch, sending, this, dial.subprotocols()));
		}

		/** The connection was opened, or not. */
		@Override
		public void operationComplete(ChannelFuture connected) {
			if (!connected.isSuccess()) {
				failed(connected.cause());
			}
		}

		@Override
		public void upgraded(BackendConnection connection, HttpHeaders response, @Nullable String subprotocol) {
			DialRequest dial = request;
			Attempt owner = (dial != null) ? finish() : null;
			if (dial == null || owner == null) {
				connection.close();
				return;
			}
			BackendSession session;
			try {
				session = session(server, connection, response, subprotocol, dial.extensions());
			}
			catch (RuntimeException ex) {
				connection.close();
				owner.failed(this, ex);
				return;
			}
			owner.connected(this, session);
		}

		@Override
		public void failed(Throwable error) {
			Attempt owner = finish();
			if (owner != null) {
				closeChannel();
				owner.failed(this, refusalOrSelf(error, server));
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
			closeChannel();
			owner.failed(this, new TimeoutException(
					"Did not observe any item or terminal signal within " + dial.timeout().toMillis() + "ms"));
		}

		/** Cancelled with the handshake: the connection is closed, if it was opened. */
		void cancel() {
			if (finish() != null) {
				count.release();
				closeChannel();
			}
		}

		private void closeChannel() {
			Channel opened = channel;
			if (opened != null) {
				opened.close();
			}
		}

		private synchronized @Nullable Attempt current() {
			return attempt;
		}

		/**
		 * Ends the leg, once: returns its attempt to the one caller that ends it (the handshake's
		 * answer, a failure, the timeout or a cancel), which reports to it; null to the others.
		 */
		private @Nullable Attempt finish() {
			Attempt owner;
			synchronized (this) {
				owner = attempt;
				attempt = null;
				request = null;
			}
			ScheduledFuture<?> armed = timer;
			if (owner != null && armed != null) {
				timer = null;
				armed.cancel(false);
			}
			return owner;
		}
	}
}
