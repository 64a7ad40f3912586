/**
 * The WebSocketProxy filter: the client's handshake (validation, pool, Origin, admission under
 * the limits), then a backend dialled first (so a refusal is relayed as an HTTP status), then the
 * client upgraded and the session started; or, with a first-message check, the client upgraded
 * first and a backend dialled for a valid first message. Its parts, one job each:
 * <ul>
 * <li>{@link io.wsgate.proxy.dial}: the backend's connection and handshake;</li>
 * <li>{@link io.wsgate.proxy.session}: a session's owner from admission to release, and the bridge
 * that relays and ends it;</li>
 * <li>{@link io.wsgate.proxy.frame}: the frame path, plain Netty handlers that forward, count and
 * check frames and report to the session.</li>
 * </ul>
 */
@NullMarked
package io.wsgate.proxy;

import org.jspecify.annotations.NullMarked;
