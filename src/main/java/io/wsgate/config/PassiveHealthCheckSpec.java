package io.wsgate.config;

import java.time.Duration;

/**
 * Passive health ({@code pools[i].passiveHealthCheck}): failed dials and 5xx handshake answers in
 * real traffic take a server out for a back-off, with or without an active check.
 *
 * @param enabled on by default
 * @param fails consecutive failures that take a server out (default: healthCheck.fails, else 1)
 * @param backoff first time out (default 10s); doubled while the server keeps failing
 * @param maxBackoff longest time out (default 5m)
 */
public record PassiveHealthCheckSpec(Boolean enabled, Integer fails, Duration backoff, Duration maxBackoff) {

	public static final PassiveHealthCheckSpec DEFAULT = new PassiveHealthCheckSpec(null, null, null, null);

	public PassiveHealthCheckSpec {
		enabled = !Boolean.FALSE.equals(enabled);
		backoff = (backoff != null) ? backoff : Duration.ofSeconds(10);
		maxBackoff = (maxBackoff != null) ? maxBackoff : Duration.ofMinutes(5);
	}
}
