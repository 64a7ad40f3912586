package io.wsgate.proxy.dial;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.websocket.WebsocketInbound;

/**
 * Adjusts the backend handshake where Reactor Netty's client has no option for it, then leaves
 * the pipeline:
 * <ul>
 * <li>{@code keepHost}: the client derives {@code Host} from the URI; this sets the client's Host
 * on the outgoing request while the connection (and TLS SNI) still go to the server's address;</li>
 * <li>subprotocols: Netty fails a 101 that selects none of the offered subprotocols, though RFC
 * 6455 lets a server do so and leaves the decision to the client. The real answer is kept in a
 * channel attribute and Netty's check is satisfied, so the gateway passes the choice on unchanged.</li>
 * </ul>
 */
final class BackendHandshakeHandler extends ChannelDuplexHandler {

	static final String NAME = "wsgate.backendHandshake";

	/** The backend's Sec-WebSocket-Protocol, "" when it selected none; unset when none was offered. */
	static final AttributeKey<String> SELECTED_SUBPROTOCOL = AttributeKey.valueOf("wsgate.selectedSubprotocol");

	private final @Nullable String host;

	private final @Nullable String firstOffered;

	/**
	 * @param host the Host header to send; null keeps the client library's
	 * @param offeredSubprotocols the offered subprotocols, comma-separated; null when none
	 */
	BackendHandshakeHandler(@Nullable String host, @Nullable String offeredSubprotocols) {
		this.host = host;
		this.firstOffered = (offeredSubprotocols != null) ? offeredSubprotocols.split(",")[0].trim() : null;
	}

	/**
	 * Installs this handler on a backend connection whose handshake needs it, before the handshake is sent.
	 * @param connection the connection, its request prepared
	 * @param host the Host header to send; null keeps the client library's
	 * @param offeredSubprotocols the offered subprotocols, comma-separated; null when none
	 */
	static void install(Connection connection, @Nullable String host, @Nullable String offeredSubprotocols) {
		if (host == null && offeredSubprotocols == null) {
			return;
		}
		// Inbound, the handler must see the response before Reactor Netty's bridge consumes it.
		ChannelPipeline pipeline = connection.channel().pipeline();
		BackendHandshakeHandler handler = new BackendHandshakeHandler(host, offeredSubprotocols);
		if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
			pipeline.addBefore(NettyPipeline.ReactiveBridge, NAME, handler);
		}
		else {
			pipeline.addLast(NAME, handler);
		}
	}

	/** The subprotocol the backend selected, when this handler saw the handshake; otherwise the client's view. */
	static @Nullable String selectedSubprotocol(Connection connection) {
		String selected = connection.channel().attr(SELECTED_SUBPROTOCOL).get();
		if (selected == null) {
			return ((WebsocketInbound) connection).selectedSubprotocol();
		}
		return selected.isEmpty() ? null : selected;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (host != null && msg instanceof HttpRequest request) {
			request.headers().set(HttpHeaderNames.HOST, host);
		}
		super.write(ctx, msg, promise);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof HttpResponse response) {
			if (firstOffered != null && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
				String selected = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
				ctx.channel().attr(SELECTED_SUBPROTOCOL).set((selected != null) ? selected.trim() : "");
				if (selected == null) {
					response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, firstOffered);
				}
			}
			ctx.pipeline().remove(this);
		}
		super.channelRead(ctx, msg);
	}
}
