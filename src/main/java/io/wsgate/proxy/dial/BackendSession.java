package io.wsgate.proxy.dial;

import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.pool.Server;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * An open WebSocket connection to a backend, after its 101.
 *
 * @param server the server it goes to
 * @param connection the connection (dispose it when the session ends)
 * @param in frames from the backend
 * @param out frames to the backend
 * @param subprotocol the subprotocol the backend selected; null when none
 * @param extensions the extensions the backend accepted (permessage-deflate, checked against the offer); null when none
 * @param responseHeaders the backend's handshake response headers
 */
public record BackendSession(Server server, Connection connection, WebsocketInbound in, WebsocketOutbound out,
		@Nullable String subprotocol, @Nullable String extensions, HttpHeaders responseHeaders) {
}
