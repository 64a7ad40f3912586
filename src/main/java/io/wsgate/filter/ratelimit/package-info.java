/**
 * The {@code RateLimiter} filter kind: Easegress's policies and urls limit handshakes per key (the
 * client address, one global counter, a header or a claim), locally or in Redis for every replica;
 * a per-session message rate is handed to the proxy through the session's guards.
 */
@NullMarked
package io.wsgate.filter.ratelimit;

import org.jspecify.annotations.NullMarked;
