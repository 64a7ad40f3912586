package io.wsgate.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.pool.Server;

/** The backend answered the handshake with an HTTP status instead of 101; relayed to the client. */
final class BackendRefusedException extends RuntimeException {

	private final int status;

	private final HttpHeaders headers;

	BackendRefusedException(Server server, int status, HttpHeaders headers) {
		super(server + " refused the WebSocket handshake with HTTP " + status, null, false, false);
		this.status = status;
		this.headers = headers;
	}

	int status() {
		return status;
	}

	HttpHeaders headers() {
		return headers;
	}
}
