/**
 * The self warm-up: sessions through the gateway's own handshake path before it reports ready.
 */
@NullMarked
package io.wsgate.warmup;

import org.jspecify.annotations.NullMarked;
