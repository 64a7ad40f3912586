package io.wsgate.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import reactor.netty.NettyPipeline;

/**
 * Gives a new connection a fixed time to deliver its whole request head: a client that trickles
 * its handshake (slowloris) gets 408 and is closed, however often it sends a byte. Reactor Netty's
 * idle timeout alone restarts at every byte.
 */
final class HandshakeDeadline extends ChannelInboundHandlerAdapter {

	private static final String NAME = "wsgate.handshakeDeadline";

	private final Duration timeout;

	private @Nullable ScheduledFuture<?> deadline;

	private HandshakeDeadline(Duration timeout) {
		this.timeout = timeout;
	}

	/** Adds the deadline to a new connection's pipeline, ahead of Reactor Netty's bridge. */
	static void install(Channel channel, Duration timeout) {
		HandshakeDeadline handler = new HandshakeDeadline(timeout);
		if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
			channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, NAME, handler);
		}
		else {
			channel.pipeline().addLast(NAME, handler);
		}
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		deadline = ctx.executor().schedule(() -> expire(ctx), timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		if (deadline != null) {
			deadline.cancel(false);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest) {
			// The head is complete: the rest is the proxy's business.
			ctx.pipeline().remove(this);
		}
		ctx.fireChannelRead(msg);
	}

	private void expire(ChannelHandlerContext ctx) {
		if (!ctx.channel().isActive()) {
			return;
		}
		byte[] body = "request head not received in time\n".getBytes(StandardCharsets.UTF_8);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
				Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
			.set(HttpHeaderNames.CONNECTION, "close");
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}
}
