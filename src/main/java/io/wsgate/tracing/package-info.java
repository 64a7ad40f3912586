/**
 * Tracing of handshakes with Micrometer Observation: a span for each client handshake (a child of the
 * client's {@code traceparent}, when it sent one) and a child span for the backend dial, whose
 * context goes to the backend as {@code traceparent}.
 */
@NullMarked
package io.wsgate.tracing;

import org.jspecify.annotations.NullMarked;
