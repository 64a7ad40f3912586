package io.wsgate.metrics;

/** Which way a frame travels: the {@code direction} tag of {@code wsgate.messages} and {@code wsgate.bytes}. */
public enum Direction implements TagValue {

	/** From the client to the backend. */
	UPSTREAM,

	/** From the backend to the client. */
	DOWNSTREAM
}
