package io.wsgate.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Starts the observations of a handshake. Their low-cardinality key values become span tags:
 * {@code http.server}, {@code route}, {@code pipeline}, {@code pool}, {@code server}, {@code outcome}.
 * Built on a no-op registry unless spans are exported, so a gateway that does not trace spends
 * nothing on it per handshake.
 */
public final class HandshakeTracing {

	/** The observation of a client's handshake, from its request to its 101 or refusal. */
	public static final String HANDSHAKE = "wsgate.handshake";

	/** The observation of the backend dial, a child of the handshake's. */
	public static final String DIAL = "wsgate.backend.dial";

	public static final HandshakeTracing OFF = new HandshakeTracing(ObservationRegistry.NOOP);

	private final ObservationRegistry registry;

	public HandshakeTracing(ObservationRegistry registry) {
		this.registry = registry;
	}

	/** Starts the observation of a handshake; a {@code traceparent} among the client's headers is its parent. */
	public Observation startHandshake(HttpHeaders clientHeaders, String httpServer) {
		if (registry.isNoop()) {
			return Observation.NOOP;
		}
		ReceiverContext<HttpHeaders> context = new ReceiverContext<>((headers, key) -> headers.get(key));
		context.setCarrier(clientHeaders);
		return Observation.createNotStarted(HANDSHAKE, () -> context, registry)
			.contextualName("websocket handshake")
			.lowCardinalityKeyValue("http.server", httpServer)
			.start();
	}

	/** Starts the observation of a backend dial and writes its context into the headers sent to the backend. */
	public Observation startDial(Observation handshake, HttpHeaders backendHeaders, String pipeline, String pool) {
		if (registry.isNoop()) {
			return Observation.NOOP;
		}
		SenderContext<HttpHeaders> context = new SenderContext<>((headers, key, value) -> {
			// Micrometer's setter allows for no carrier; this context always has one.
			if (headers != null) {
				headers.set(key, value);
			}
		});
		context.setCarrier(backendHeaders);
		return Observation.createNotStarted(DIAL, () -> context, registry)
			.parentObservation(handshake)
			.contextualName("websocket dial")
			.lowCardinalityKeyValue("pipeline", pipeline)
			.lowCardinalityKeyValue("pool", pool)
			.start();
	}
}
