package io.wsgate.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.proxy.frame.RelayEnd;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/** The client's side of a session: the connection Reactor Netty's server upgraded. */
record ClientEnd(Connection connection) implements RelayEnd {

	static ClientEnd of(WebsocketInbound upgraded) {
		return new ClientEnd((Connection) upgraded);
	}

	@Override
	public Channel channel() {
		return connection.channel();
	}

	/** Asked while the client is being upgraded: its channel is registered. */
	@Override
	public EventLoop loop() {
		return connection.channel().eventLoop();
	}

	@Override
	public void close() {
		connection.dispose();
	}

	@Override
	public void receive(CoreSubscriber<Object> subscriber) {
		((WebsocketInbound) connection).receiveObject().subscribe(subscriber);
	}

	@Override
	public Mono<WebSocketCloseStatus> receiveCloseStatus() {
		return ((WebsocketInbound) connection).receiveCloseStatus();
	}

	@Override
	public Mono<Void> sendClose(int code, @Nullable String reason) {
		if (!connection.channel().isActive()) {
			// Gone already: Reactor Netty would allocate the frame, fail to write it to a deregistered
			// channel, and never release it.
			return Mono.empty();
		}
		WebsocketOutbound out = (WebsocketOutbound) connection;
		return (code < 0) ? out.sendClose() : out.sendClose(code, reason);
	}
}
