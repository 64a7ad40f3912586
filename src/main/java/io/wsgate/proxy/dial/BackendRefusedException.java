package io.wsgate.proxy.dial;

import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.pool.Server;

/** The backend answered the handshake with an HTTP status instead of 101; relayed to the client. */
public final class BackendRefusedException extends RuntimeException {

	private final int status;

	private final HttpHeaders headers;

	BackendRefusedException(Server server, int status, HttpHeaders headers) {
		super(server + " refused the WebSocket handshake with HTTP " + status, null, false, false);
		this.status = status;
		this.headers = headers;
	}

	public int status() {
		return status;
	}

	public HttpHeaders headers() {
		return headers;
	}
}
