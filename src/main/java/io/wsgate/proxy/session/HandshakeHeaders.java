package io.wsgate.proxy.session;

import io.wsgate.proxy.dial.BackendSession;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Empties the headers of both handshakes once a session is under way. Reactor Netty keeps the
 * request and response of each side's upgrade for the connection's life: four header maps that
 * nothing reads after the 101 (the session has copied what it logs), yet a good part of an idle
 * session's memory. (The dial gives its headers to the backend's request, not to a client
 * configuration of its own: the client keeps no copy of them.)
 */
final class HandshakeHeaders {

	private HandshakeHeaders() {
	}

	static void forget(Object clientSide, BackendSession backendSide) {
		Connection backend = backendSide.connection();
		if (clientSide instanceof HttpServerRequest request) {
			request.requestHeaders().clear();
		}
		if (clientSide instanceof HttpServerResponse response) {
			response.responseHeaders().clear();
		}
		if (backend instanceof HttpClientRequest request) {
			request.requestHeaders().clear();
		}
		if (backend instanceof HttpClientResponse response) {
			response.responseHeaders().clear();
		}
	}
}
