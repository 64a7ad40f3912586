/**
 * wsgate, a WebSocket gateway: the application and its wiring, which builds the running gateway
 * from the validated configuration and starts its listeners.
 */
@NullMarked
package io.wsgate;

import org.jspecify.annotations.NullMarked;
