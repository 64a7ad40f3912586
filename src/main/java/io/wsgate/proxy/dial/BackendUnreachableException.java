package io.wsgate.proxy.dial;

import java.util.Objects;

/** No server of the pool could be connected to (refused, timed out, TLS or protocol failure). */
public final class BackendUnreachableException extends RuntimeException {

	BackendUnreachableException(String message) {
		super(message, null, false, false);
	}

	/** Always set: it says which servers were tried. */
	@Override
	public String getMessage() {
		return Objects.requireNonNull(super.getMessage());
	}
}
