package io.wsgate.proxy.dial;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.wsgate.pool.BackendTls;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.dial.BackendDialer.DialRequest;
import io.wsgate.proxy.frame.FramePath;
import org.jspecify.annotations.Nullable;

/**
 * The dial of one server: opens its channel, which sends the handshake once connected, and times
 * the whole on the channel's event loop. Once the backend answered, a leg lets go of the request
 * and of the attempt: nothing of the handshake lives as long as the session.
 */
final class DialLeg extends ChannelInitializer<Channel>
		implements ChannelFutureListener, BackendConnection.HandshakeListener, Runnable {

	private final BackendDialer dialer;

	final int index;

	final Server server;

	final ServerPool.SessionCount count;

	/** Null once the leg is over. */
	private volatile @Nullable DialRequest request;

	private @Nullable DialAttempt attempt;

	/** The backend channel, once opened. */
	private volatile @Nullable Channel channel;

	private volatile @Nullable ScheduledFuture<?> timer;

	/** Made before the channel, handed to its {@link BackendConnection}. */
	private volatile @Nullable WebSocketClientHandshaker handshaker;

	DialLeg(BackendDialer dialer, DialAttempt attempt, int index, Server server, DialRequest request,
			ServerPool.SessionCount count) {
		this.dialer = dialer;
		this.attempt = attempt;
		this.index = index;
		this.server = server;
		this.request = request;
		this.count = count;
	}

	/** @param host the Host to send; null: the handshaker's, from the server's address */
	void start(@Nullable String host) {
		DialRequest dial = request;
		DialAttempt owner = current();
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
		EventLoop loop = dialer.loop(dial.eventLoop());
		try {
			timer = loop.schedule(this, dial.timeout().toNanos(), TimeUnit.NANOSECONDS);
			// The socket is opened in a task of its own, never while the loop handles a round of
			// events: Netty's epoll transport hands a socket opened then what is left of the round's
			// events for its file descriptor, which a socket closed earlier in the round may have
			// had: a read before the connect, and a close (netty/netty#10411, a failed dial in 20,000
			// to 40,000 when sessions end and begin by thousands a second).
			loop.execute(() -> connect(loop, address));
		}
		catch (RejectedExecutionException ex) {
			// The loop is shutting down.
			failed(ex);
		}
	}

	private void connect(EventLoop loop, InetSocketAddress address) {
		if (current() == null) {
			// Ended meanwhile: cancelled or timed out.
			return;
		}
		ChannelFuture connecting;
		try {
			connecting = dialer.bootstrap(loop, address).handler(this).connect(address);
		}
		catch (RuntimeException ex) {
			// Not left to the timeout: the task's caller is the loop, which would only log it.
			failed(ex);
			return;
		}
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
		DialAttempt owner = (dial != null) ? finish() : null;
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
		DialAttempt owner = finish();
		if (owner != null) {
			closeChannel();
			owner.failed(this, refusalOrSelf(error, server));
		}
	}

	/** The timeout. */
	@Override
	public void run() {
		DialRequest dial = request;
		DialAttempt owner = (dial != null) ? finish() : null;
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

	private synchronized @Nullable DialAttempt current() {
		return attempt;
	}

	/**
	 * Ends the leg, once: returns its attempt to the one caller that ends it (the handshake's
	 * answer, a failure, the timeout or a cancel), which reports to it; null to the others.
	 */
	private @Nullable DialAttempt finish() {
		DialAttempt owner;
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
}
