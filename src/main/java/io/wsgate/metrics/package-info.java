/**
 * Micrometer meters of the gateway, defined once in {@link io.wsgate.metrics.WsgateMeters}, and
 * the per-server meter sets that the message path increments without any lookup.
 */
@NullMarked
package io.wsgate.metrics;

import org.jspecify.annotations.NullMarked;
