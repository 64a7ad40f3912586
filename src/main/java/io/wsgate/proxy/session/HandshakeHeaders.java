package io.wsgate.proxy.session;

import io.wsgate.proxy.dial.BackendSession;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Empties the headers of the client's handshake once a session is under way. Reactor Netty keeps the
 * request and response of the upgrade for the connection's life: two header maps that nothing reads
 * after the 101 (the session has copied what it logs), yet a good part of an idle session's memory.
 * The backend's answer is emptied too: the upgrade's handler, which holds it, may live as long as the session.
 */
final class HandshakeHeaders {

	private HandshakeHeaders() {
	}

	static void forget(Object clientSide, BackendSession backendSide) {
		// Read for Set-Cookie and a sticky cookie before the 101; the session keeps no reference to it.
		backendSide.responseHeaders().clear();
		if (clientSide instanceof HttpServerRequest request) {
			request.requestHeaders().clear();
		}
		if (clientSide instanceof HttpServerResponse response) {
			response.responseHeaders().clear();
		}
	}
}
