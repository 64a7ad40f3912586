/**
 * Active health checks of the pools' servers (HTTP requests and WebSocket handshakes run as
 * scheduled, non-blocking probes) and the Actuator health tree of pipelines, pools and servers.
 */
@NullMarked
package io.wsgate.health;

import org.jspecify.annotations.NullMarked;
