package io.wsgate.proxy.dial;

/** No server of the pool could be connected to (refused, timed out, TLS or protocol failure). */
public final class BackendUnreachableException extends RuntimeException {

	BackendUnreachableException(String message) {
		super(message, null, false, false);
	}
}
