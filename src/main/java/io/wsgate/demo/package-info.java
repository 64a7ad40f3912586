/**
 * The built-in demo: an in-process WebSocket echo backend, started when {@code wsgate.demo.enabled}
 * is true, so the default route works out of the box.
 */
@NullMarked
package io.wsgate.demo;

import org.jspecify.annotations.NullMarked;
