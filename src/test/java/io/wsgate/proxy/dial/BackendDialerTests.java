package io.wsgate.proxy.dial;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.ReferenceCountUtil;
import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.dial.BackendDialer.DialRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import static io.wsgate.config.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The dial of a backend, on real sockets and a gateway event loop of its own. */
class BackendDialerTests {

	private final LoopResources loops = LoopResources.create("dial-test", 1, true);

	private final DisposableServer backend = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.handle((request, response) -> response.sendWebsocket((in, out) -> out.send(in.receive().retain())))
		.bindNow();

	@AfterEach
	void stop() {
		backend.disposeNow();
		loops.disposeLater().block(Duration.ofSeconds(10));
	}

	/**
	 * Sessions end and begin in the same round of a loop's events when thousands change a second:
	 * a socket closed early in the round frees its file descriptor, the dial that a later event
	 * starts gets that descriptor again, and Netty's epoll transport would hand the new socket the
	 * round's event for the old one (a read before the connect, then a close): the dial failed, and
	 * passive health took a working server out.
	 */
	@Test
	void aDialStartedInTheRoundOfEventsThatClosedAnotherSocketReachesTheBackend() throws Exception {
		assumeTrue(Epoll.isAvailable(), "the epoll transport (Linux)");
		BackendDialer dialer = new BackendDialer(new GatewayMetrics(new SimpleMeterRegistry()), loops);
		EventLoop loop = dialer.loop(null);
		ServerPool pool = new ServerPool("pipeline", "test", spec(PoolSpec.class, "servers",
				List.of(spec(ServerSpec.class, "url", "ws://127.0.0.1:" + backend.port()))), null);
		DialRequest request = new DialRequest("/ws", "gw.example.com", null, new DefaultHttpHeaders(), null, null,
				65536, Duration.ofSeconds(5), null, loop);

		try (ServerSocket peers = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			for (int round = 0; round < 3; round++) {
				CompletableFuture<BackendSession> dialed = new CompletableFuture<>();
				Channel[] other = new Channel[1];
				// Its first byte closes the other socket and starts a dial, in the loop's same round.
				Channel trigger = connect(loop, peers, new ChannelInboundHandlerAdapter() {
					@Override
					public void channelRead(ChannelHandlerContext ctx, Object msg) {
						ReferenceCountUtil.release(msg);
						other[0].close();
						dialer.dialFirst(pool.servers(), request, pool).subscribe(dialed::complete,
								dialed::completeExceptionally);
					}
				});
				try (Socket triggerPeer = peers.accept()) {
					other[0] = connect(loop, peers, new ChannelInboundHandlerAdapter());
					Socket otherPeer = peers.accept();

					// Both events wait for the same round: the trigger's byte first, then the other's end.
					CountDownLatch held = new CountDownLatch(1);
					loop.execute(() -> awaitQuietly(held));
					OutputStream toTrigger = triggerPeer.getOutputStream();
					toTrigger.write(1);
					toTrigger.flush();
					otherPeer.close();
					held.countDown();

					BackendSession session = dialed.get(10, TimeUnit.SECONDS);
					assertThat(session.server().url()).isEqualTo("ws://127.0.0.1:" + backend.port());
					assertThat(pool.healthyServers()).as("the server stays in").hasSize(1);
					session.connection().close();
				}
				finally {
					trigger.close().syncUninterruptibly();
				}
			}
		}
	}

	private static Channel connect(EventLoop loop, ServerSocket peer, ChannelInboundHandlerAdapter handler) {
		return new Bootstrap().group(loop)
			.channel(EpollSocketChannel.class)
			.handler(handler)
			.connect(new InetSocketAddress(peer.getInetAddress(), peer.getLocalPort()))
			.syncUninterruptibly()
			.channel();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
