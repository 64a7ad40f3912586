package io.wsgate.proxy.dial;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ServerMeters.DialError;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.dial.BackendDialer.DialRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;

/**
 * One handshake's dial ({@link BackendDialer#dialFirst}): the servers tried in turn, one
 * {@link DialLeg} each, until one answers or none is left; each outcome is reported to the pool's
 * passive health and meters.
 */
final class DialAttempt implements Disposable {

	/** Logged as the dialer, as before the attempt had a class of its own. */
	private static final Log logger = LogFactory.getLog(BackendDialer.class);

	private final BackendDialer dialer;

	private final GatewayMetrics metrics;

	private final List<Server> servers;

	private final DialRequest request;

	private final ServerPool pool;

	private final MonoSink<BackendSession> sink;

	/** The server being dialled; null once the attempt is over. */
	private volatile @Nullable DialLeg current;

	private volatile boolean cancelled;

	DialAttempt(BackendDialer dialer, GatewayMetrics metrics, List<Server> servers, DialRequest request,
			ServerPool pool, MonoSink<BackendSession> sink) {
		this.dialer = dialer;
		this.metrics = metrics;
		this.servers = servers;
		this.request = request;
		this.pool = pool;
		this.sink = sink;
	}

	void dial(int index) {
		Server server = servers.get(index);
		DialLeg leg = new DialLeg(dialer, this, index, server, request, pool.countSession(server));
		current = leg;
		if (cancelled) {
			leg.cancel();
			return;
		}
		leg.start(host(server, request));
	}

	void connected(DialLeg leg, BackendSession session) {
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

	void failed(DialLeg leg, Throwable ex) {
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
	void abort(DialLeg leg, Throwable error) {
		current = null;
		leg.count.release();
		sink.error(error);
	}

	/** The handshake was cancelled (the client left, or the gateway gave up on it). */
	@Override
	public void dispose() {
		cancelled = true;
		DialLeg leg = current;
		if (leg != null) {
			leg.cancel();
		}
	}

	/** The Host to send: null when the handshaker's (from the server's address) is the one. */
	private static @Nullable String host(Server server, DialRequest request) {
		// A server that is one address of a DNS name is dialled at the address and sent the name.
		return (request.host() != null) ? request.host()
				: (server.keepHost() && !request.clientHost().isEmpty()) ? request.clientHost() : server.hostHeader();
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
