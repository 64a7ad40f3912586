package io.wsgate.metrics;

/** Which way a frame travels. */
public enum Direction {

	/** From the client to the backend. */
	UPSTREAM,

	/** From the backend to the client. */
	DOWNSTREAM;

	public String tag() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}
}
