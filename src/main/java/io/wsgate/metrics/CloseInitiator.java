package io.wsgate.metrics;

/** The {@code initiator} tag of {@code wsgate.closes}: who ended the session first. */
public enum CloseInitiator implements TagValue {

	CLIENT, BACKEND, GATEWAY
}
