package io.wsgate.config;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Passive health ({@code pools[i].passiveHealthCheck}): failed dials and 5xx handshake answers in
 * real traffic take a server out for a back-off, with or without an active check.
 *
 * @param enabled on by default
 * @param fails consecutive failures that take a server out (null: healthCheck.fails, else 1)
 * @param backoff first time out (default 10s); doubled while the server keeps failing
 * @param maxBackoff longest time out (default 5m)
 */
public record PassiveHealthCheckSpec(@DefaultValue("true") boolean enabled, @Nullable Integer fails,
		@DefaultValue("10s") Duration backoff, @DefaultValue("5m") Duration maxBackoff) {
}
