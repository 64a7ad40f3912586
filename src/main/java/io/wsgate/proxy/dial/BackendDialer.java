package io.wsgate.proxy.dial;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pool.BackendTls;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
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
			DialAttempt attempt = new DialAttempt(this, metrics, servers, request, pool, sink);
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

	/** Where a dial runs: on the client connection's loop when there is one, else on one of the gateway's. */
	EventLoop loop(@Nullable EventLoop clientLoop) {
		return (clientLoop != null) ? clientLoop : group.next();
	}

	/** A dial's bootstrap on {@code loop}; a server named by host is resolved by Netty's resolver. */
	Bootstrap bootstrap(EventLoop loop, InetSocketAddress address) {
		Bootstrap dialling = bootstrap.clone(loop);
		if (address.isUnresolved()) {
			dialling.resolver(resolver());
		}
		return dialling;
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
}
