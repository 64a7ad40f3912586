package io.wsgate.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * The benchmark's reference for what a JVM can do: the least a WebSocket proxy on plain Netty does, as
 * nginx and HAProxy do it. It passes the client's handshake to a backend (round robin) with
 * {@code X-Forwarded-For} added, passes the backend's answer back, then relays bytes both ways without
 * reading frames: no routing, limits, UTF-8 check, timeouts, metrics or logs. It runs on the same JVM
 * and options as wsgate, so the distance between the two is what wsgate's features and its Reactor
 * Netty / Spring handshake path cost, and the distance to nginx what the JVM costs.
 */
final class NettyRelay {

	private static final String HTTP_CODEC = "http";

	private final List<InetSocketAddress> backends;

	private final AtomicInteger next = new AtomicInteger();

	private final EventLoopGroup group;

	private Channel server;

	private NettyRelay(List<InetSocketAddress> backends, EventLoopGroup group) {
		this.backends = backends;
		this.group = group;
	}

	/** Listens on 127.0.0.1:port (0: any free port) until killed; prints the port as JSON. */
	static void run(int port, List<Integer> backendPorts) throws InterruptedException {
		NettyRelay relay = start(port, backendPorts);
		System.out.println("{\"relay\":" + relay.port() + "}");
		relay.server.closeFuture().sync();
	}

	/** Starts listening on 127.0.0.1:port, with one event loop per core, as wsgate. */
	static NettyRelay start(int port, List<Integer> backendPorts) throws InterruptedException {
		AtomicInteger threads = new AtomicInteger();
		ThreadFactory named = task -> new FastThreadLocalThread(task, "relay-epoll-" + threads.incrementAndGet());
		NettyRelay relay = new NettyRelay(
				backendPorts.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList(),
				new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), named,
						EpollIoHandler.newFactory()));
		relay.server = new ServerBootstrap().group(relay.group)
			.channel(EpollServerSocketChannel.class)
			.option(ChannelOption.SO_BACKLOG, 4096)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) {
					channel.pipeline().addLast(HTTP_CODEC, new HttpServerCodec()).addLast(relay.new ClientSide());
				}
			})
			.bind("127.0.0.1", port)
			.sync()
			.channel();
		return relay;
	}

	int port() {
		return ((InetSocketAddress) server.localAddress()).getPort();
	}

	/** Stops listening and closes every connection. */
	void stop() {
		server.close().syncUninterruptibly();
		group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/** Relays what one channel reads to its peer, reading on only while the peer can take more. */
	private abstract static class Relaying extends ChannelInboundHandlerAdapter {

		Channel peer;

		void relay(ChannelHandlerContext ctx, Object bytes) {
			peer.writeAndFlush(bytes);
			if (!peer.isWritable()) {
				ctx.channel().config().setAutoRead(false);
			}
		}

		/** The peer's writability is reported on the peer: it resumes this side's reading. */
		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) {
			if (peer != null && ctx.channel().isWritable()) {
				peer.config().setAutoRead(true);
			}
			ctx.fireChannelWritabilityChanged();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			if (peer != null) {
				peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}
	}

	private final class ClientSide extends Relaying {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof HttpRequest request) {
				dial(ctx.channel(), request);
				ReferenceCountUtil.release(msg);
			}
			else if (msg instanceof HttpContent || peer == null) {
				ReferenceCountUtil.release(msg); // the handshake's empty body
			}
			else {
				relay(ctx, msg);
			}
		}

		/** Opens the backend connection on the client's event loop and sends it the client's handshake. */
		private void dial(Channel client, HttpRequest request) {
			client.config().setAutoRead(false);
			DefaultFullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
					request.uri());
			forwarded.headers().set(request.headers());
			forwarded.headers().add("X-Forwarded-For",
					((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress());
			BackendSide backendSide = new BackendSide(client, this);
			new Bootstrap().group(client.eventLoop())
				.channel(EpollSocketChannel.class)
				.option(ChannelOption.TCP_NODELAY, true)
				.handler(new ChannelInitializer<>() {
					@Override
					protected void initChannel(Channel channel) {
						channel.pipeline().addLast(HTTP_CODEC, new HttpClientCodec()).addLast(backendSide);
					}
				})
				.connect(backends.get(Math.floorMod(next.getAndIncrement(), backends.size())))
				.addListener((ChannelFutureListener) connected -> {
					if (connected.isSuccess()) {
						connected.channel().writeAndFlush(forwarded);
					}
					else {
						forwarded.release();
						client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
								HttpResponseStatus.BAD_GATEWAY))
							.addListener(ChannelFutureListener.CLOSE);
					}
				});
		}
	}

	private static final class BackendSide extends Relaying {

		private final Channel client;

		private final ClientSide clientSide;

		BackendSide(Channel client, ClientSide clientSide) {
			this.client = client;
			this.clientSide = clientSide;
			this.peer = client;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof HttpResponse response) {
				// Both sides leave HTTP once the answer is passed on; from then on, bytes.
				DefaultFullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status());
				answer.headers().set(response.headers());
				ReferenceCountUtil.release(msg);
				ctx.pipeline().remove(HTTP_CODEC);
				clientSide.peer = ctx.channel();
				client.writeAndFlush(answer).addListener((ChannelFutureListener) written -> {
					if (!written.isSuccess() || response.status().code() != 101) {
						client.close();
						return;
					}
					client.pipeline().remove(HTTP_CODEC);
					client.config().setAutoRead(true);
				});
			}
			else if (msg instanceof HttpContent) {
				ReferenceCountUtil.release(msg);
			}
			else {
				relay(ctx, msg);
			}
		}
	}
}
