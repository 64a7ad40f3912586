package io.wsgate.metrics;

import java.util.List;

/**
 * The catalogue of wsgate's meters: name, type, base unit, description and tag keys, in one place.
 * Tags are low-cardinality only: http server, pipeline, pool, server URL, and bounded enums; never
 * a client address or a request path. A pool's name is unique only inside its pipeline, so every
 * meter that names a pool names its pipeline too.
 */
public enum WsgateMeters {

	SESSIONS_ACTIVE("wsgate.sessions.active", "gauge", null, "Sessions being relayed now", Tags.SERVER),

	SESSIONS("wsgate.sessions", "counter", null,
			"Handshakes that reached a WebSocketProxy, by outcome: " + HandshakeOutcome.tags(),
			List.of("http.server", "pipeline", "pool", "outcome")),

	HANDSHAKE_DURATION("wsgate.handshake.duration", "timer", "seconds",
			"From the client's request to its 101, the backend handshake included", List.of("http.server", "pipeline", "pool")),

	MESSAGES("wsgate.messages", "counter", null, "Messages relayed (a fragmented message counts once)",
			List.of("pipeline", "pool", "server", "direction", "type")),

	BYTES("wsgate.bytes", "counter", "bytes", "Payload bytes relayed in data frames", List.of("pipeline", "pool", "server", "direction", "type")),

	CLOSES("wsgate.closes", "counter", null,
			"Ended sessions by close code (1000-2999 as is, 3xxx and 4xxx grouped) and by who closed first",
			List.of("pipeline", "pool", "code", "initiator")),

	BACKEND_ERRORS("wsgate.backend.errors", "counter", null,
			"Failed backend dials by reason: connect, timeout, handshake (an HTTP answer other than 101), protocol",
			List.of("pipeline", "pool", "server", "reason")),

	FILTER_RESULTS("wsgate.filter.results", "counter", null,
			"Handshakes through each filter of a pipeline, by result: continue, or the result the filter returned "
					+ "(invalid, rateLimited, clientError ...); a result that ends the flow refused the handshake",
			List.of("pipeline", "filter", "kind", "result")),

	RATELIMIT_STORE_ERRORS("wsgate.ratelimit.store.errors", "counter", null,
			"RateLimiter calls to Redis (store: redis) that failed or timed out; the handshake got what redisFailure says",
			List.of("pipeline", "filter")),

	SERVER_HEALTHY("wsgate.server.healthy", "gauge", null, "1 while the server gets new sessions, else 0", Tags.SERVER),

	DNS_FAILURES("wsgate.dns.failures", "counter", null,
			"Re-resolutions of a server's DNS name (dnsRefresh) that failed or found no address; its servers stay "
					+ "those of the last known addresses",
			List.of("host")),

	CONFIG_RELOADS("wsgate.config.reloads", "counter", null,
			"Configuration reloads (file change or POST /actuator/wsgate/reload) by outcome: applied, rejected",
			List.of("outcome"));

	private final String meterName;

	private final String type;

	private final String baseUnit;

	private final String description;

	private final List<String> tagKeys;

	WsgateMeters(String meterName, String type, String baseUnit, String description, List<String> tagKeys) {
		this.meterName = meterName;
		this.type = type;
		this.baseUnit = baseUnit;
		this.description = description;
		this.tagKeys = tagKeys;
	}

	public String meterName() {
		return meterName;
	}

	public String type() {
		return type;
	}

	public String baseUnit() {
		return baseUnit;
	}

	public String description() {
		return description;
	}

	public List<String> tagKeys() {
		return tagKeys;
	}

	private static final class Tags {

		static final List<String> SERVER = List.of("pipeline", "pool", "server");
	}
}
