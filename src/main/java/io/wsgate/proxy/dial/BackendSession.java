package io.wsgate.proxy.dial;

import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.pool.Server;
import io.wsgate.proxy.frame.RelayEnd;
import org.jspecify.annotations.Nullable;

/**
 * An open WebSocket connection to a backend, after its 101.
 *
 * @param server the server it goes to
 * @param connection the connection ({@link BackendConnection}; close its channel when the session ends)
 * @param subprotocol the subprotocol the backend selected; null when none
 * @param extensions the extensions the backend accepted (permessage-deflate, checked against the offer); null when none
 * @param responseHeaders the backend's handshake response headers
 */
public record BackendSession(Server server, RelayEnd connection, @Nullable String subprotocol,
		@Nullable String extensions, HttpHeaders responseHeaders) {
}
