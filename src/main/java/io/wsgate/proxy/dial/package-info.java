/**
 * Dialling a backend: a WebSocket connection per session, from the client's event loop, with the
 * headers the gateway forwards, failover between servers, passive health and the dial's meters.
 */
@NullMarked
package io.wsgate.proxy.dial;

import org.jspecify.annotations.NullMarked;
