package io.wsgate.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.docs.MeterDocumentation;
import io.wsgate.metrics.ServerMeters.DialError;
import org.jspecify.annotations.Nullable;

/**
 * The catalogue of wsgate's meters, the one place that names them: name, type, base unit,
 * description, tag keys ({@link TagKey}) and the values of each bounded tag ({@link TagValue} enums),
 * in the style of Reactor Netty's meter enums. Tags are low-cardinality only: http server, pipeline,
 * pool, server URL, and bounded enums; never a client address or a request path. A pool's name is
 * unique only inside its pipeline, so every meter that names a pool names its pipeline too.
 */
public enum WsgateMeters implements MeterDocumentation {

	SESSIONS_ACTIVE("wsgate.sessions.active", Meter.Type.GAUGE, null, "Sessions being relayed now", TagKey.SERVER_KEYS),

	SESSIONS("wsgate.sessions", Meter.Type.COUNTER, null,
			"Handshakes that reached a WebSocketProxy, by outcome: " + String.join(", ", TagValue.tags(HandshakeOutcome.class)),
			keys(TagKey.HTTP_SERVER, TagKey.PIPELINE, TagKey.POOL, TagKey.OUTCOME),
			Map.of(TagKey.OUTCOME, TagValue.tags(HandshakeOutcome.class))),

	HANDSHAKE_DURATION("wsgate.handshake.duration", Meter.Type.TIMER, "seconds",
			"From the client's request to its 101, the backend handshake included",
			keys(TagKey.HTTP_SERVER, TagKey.PIPELINE, TagKey.POOL)),

	MESSAGES("wsgate.messages", Meter.Type.COUNTER, null, "Messages relayed (a fragmented message counts once)",
			keys(TagKey.PIPELINE, TagKey.POOL, TagKey.SERVER, TagKey.DIRECTION, TagKey.TYPE), Values.TRAFFIC),

	BYTES("wsgate.bytes", Meter.Type.COUNTER, "bytes", "Payload bytes relayed in data frames",
			keys(TagKey.PIPELINE, TagKey.POOL, TagKey.SERVER, TagKey.DIRECTION, TagKey.TYPE), Values.TRAFFIC),

	CLOSES("wsgate.closes", Meter.Type.COUNTER, null,
			"Ended sessions by close code (1000-2999 as is, 3xxx and 4xxx grouped) and by who closed first",
			keys(TagKey.PIPELINE, TagKey.POOL, TagKey.CODE, TagKey.INITIATOR),
			Map.of(TagKey.INITIATOR, TagValue.tags(CloseInitiator.class))),

	BACKEND_ERRORS("wsgate.backend.errors", Meter.Type.COUNTER, null,
			"Failed backend dials by reason: connect, timeout, handshake (an HTTP answer other than 101), protocol",
			keys(TagKey.PIPELINE, TagKey.POOL, TagKey.SERVER, TagKey.REASON),
			Map.of(TagKey.REASON, TagValue.tags(DialError.class))),

	FILTER_RESULTS("wsgate.filter.results", Meter.Type.COUNTER, null,
			"Handshakes through each filter of a pipeline, by result: " + WsgateMeters.CONTINUE_RESULT
					+ ", or the result the filter returned (invalid, rateLimited, clientError ...); a result that ends "
					+ "the flow refused the handshake",
			keys(TagKey.PIPELINE, TagKey.FILTER, TagKey.KIND, TagKey.RESULT)),

	RATELIMIT_STORE_ERRORS("wsgate.ratelimit.store.errors", Meter.Type.COUNTER, null,
			"RateLimiter calls to Redis (store: redis) that failed or timed out; the handshake got what redisFailure says",
			keys(TagKey.PIPELINE, TagKey.FILTER)),

	SERVER_HEALTHY("wsgate.server.healthy", Meter.Type.GAUGE, null, "1 while the server gets new sessions, else 0",
			TagKey.SERVER_KEYS),

	DNS_FAILURES("wsgate.dns.failures", Meter.Type.COUNTER, null,
			"Re-resolutions of a server's DNS name (dnsRefresh) that failed or found no address; its servers stay "
					+ "those of the last known addresses",
			keys(TagKey.HOST)),

	CONFIG_RELOADS("wsgate.config.reloads", Meter.Type.COUNTER, null,
			"Configuration reloads (file change or POST /actuator/wsgate/reload) by outcome: "
					+ String.join(", ", TagValue.tags(ReloadOutcome.class)),
			keys(TagKey.OUTCOME), Map.of(TagKey.OUTCOME, TagValue.tags(ReloadOutcome.class)));

	/**
	 * The {@code result} of {@code wsgate.filter.results} for a filter that let the handshake go on;
	 * its other results are those its kind declares.
	 */
	public static final String CONTINUE_RESULT = "continue";

	private final String meterName;

	private final Meter.Type type;

	private final @Nullable String baseUnit;

	private final String description;

	private final List<TagKey> tagKeys;

	private final Map<TagKey, List<String>> tagValues;

	WsgateMeters(String meterName, Meter.Type type, @Nullable String baseUnit, String description, List<TagKey> tagKeys) {
		this(meterName, type, baseUnit, description, tagKeys, Map.of());
	}

	WsgateMeters(String meterName, Meter.Type type, @Nullable String baseUnit, String description, List<TagKey> tagKeys,
			Map<TagKey, List<String>> tagValues) {
		this.meterName = meterName;
		this.type = type;
		this.baseUnit = baseUnit;
		this.description = description;
		this.tagKeys = tagKeys;
		this.tagValues = tagValues;
	}

	private static List<TagKey> keys(TagKey... keys) {
		return List.of(keys);
	}

	public String meterName() {
		return meterName;
	}

	@Override
	public String getName() {
		return meterName;
	}

	@Override
	public Meter.Type getType() {
		return type;
	}

	/** The unit of the meter's values (null: it counts things). */
	@Override
	public @Nullable String getBaseUnit() {
		return baseUnit;
	}

	@Override
	public KeyName[] getKeyNames() {
		return tagKeys.toArray(KeyName[]::new);
	}

	public String description() {
		return description;
	}

	/** Its tag keys, in the order they are documented. */
	public List<TagKey> tagKeys() {
		return tagKeys;
	}

	/** Its tag keys as Prometheus labels show them before dots become underscores. */
	public List<String> tagKeyNames() {
		return tagKeys.stream().map(TagKey::asString).toList();
	}

	/** The values a bounded tag of this meter takes; absent for a tag whose values come from the configuration. */
	public Map<TagKey, List<String>> tagValues() {
		return tagValues;
	}

	/** The meter named {@code name} (null: the catalogue has none). */
	public static @Nullable WsgateMeters named(String name) {
		return Arrays.stream(values()).filter(meter -> meter.meterName.equals(name)).findFirst().orElse(null);
	}

	/** Every tag key of the catalogue. */
	public enum TagKey implements KeyName {

		/** The http server (listener) that took the handshake. */
		HTTP_SERVER("http.server"),

		PIPELINE, POOL,

		/** The server's URL as configured (one per address with dnsRefresh). */
		SERVER,

		OUTCOME, DIRECTION, TYPE,

		/** A close code, 3xxx and 4xxx grouped. */
		CODE,

		INITIATOR, REASON, FILTER,

		/** A filter's kind. */
		KIND,

		RESULT,

		/** A DNS name of a server (configured, so bounded). */
		HOST;

		static final List<TagKey> SERVER_KEYS = List.of(PIPELINE, POOL, SERVER);

		private final String key;

		TagKey() {
			this.key = name().toLowerCase(Locale.ROOT);
		}

		TagKey(String key) {
			this.key = key;
		}

		@Override
		public String asString() {
			return key;
		}
	}

	private static final class Values {

		static final Map<TagKey, List<String>> TRAFFIC = Map.of(TagKey.DIRECTION, TagValue.tags(Direction.class),
				TagKey.TYPE, TagValue.tags(MessageType.class));
	}
}
