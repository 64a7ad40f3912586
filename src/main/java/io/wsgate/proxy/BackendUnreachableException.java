package io.wsgate.proxy;

/** No server of the pool could be connected to (refused, timed out, TLS or protocol failure). */
final class BackendUnreachableException extends RuntimeException {

	BackendUnreachableException(String message) {
		super(message, null, false, false);
	}
}
