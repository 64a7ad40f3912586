/**
 * A session's life: {@link io.wsgate.proxy.session.ProxySession} owns it from admission to release
 * and ends it once; {@link io.wsgate.proxy.session.WebSocketBridge} relays it, runs its timers and
 * decides its closes; {@link io.wsgate.proxy.session.SessionRegistry} counts sessions against the
 * limits and closes them on shutdown or reload.
 */
@NullMarked
package io.wsgate.proxy.session;

import org.jspecify.annotations.NullMarked;
