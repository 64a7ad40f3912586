package io.wsgate.filter.ratelimit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.wsgate.filter.ratelimit.Permits.Decision;
import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The counters of a RateLimiter's url rules in Redis, shared by every replica that uses the same
 * Redis: one Lua script per handshake ({@code permits.lua}, {@link Permits}' arithmetic), atomic on
 * the server, as Spring Cloud Gateway's RedisRateLimiter does. Each call is bounded by
 * {@link #TIMEOUT}; a failed or late call gives the handshake what {@code redisFailure} says, is
 * counted in {@code wsgate.ratelimit.store.errors}, and is logged once per outage.
 */
final class RedisPermitStore {

	/**
	 * The longest a handshake waits for Redis: far above a healthy Redis's sub-millisecond answer (and
	 * a busy gateway's pauses), short enough that a hung Redis costs a handshake little.
	 */
	static final Duration TIMEOUT = Duration.ofMillis(500);

	/** The longest the first connection may take, at startup. */
	private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(10);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SCRIPT = RedisScript.of(
			new ClassPathResource("io/wsgate/filter/ratelimit/permits.lua"), List.class);

	private final ReactiveStringRedisTemplate redis;

	private final String keyPrefix;

	private final boolean allowOnFailure;

	private final RedisOutage outage;

	private final Counter errors;

	/**
	 * @param keyPrefix the start of this filter's Redis keys
	 * @param allowOnFailure what a handshake gets while Redis does not answer
	 */
	RedisPermitStore(ReactiveStringRedisTemplate redis, String keyPrefix, boolean allowOnFailure, RedisOutage outage,
			Counter errors) {
		this.redis = redis;
		this.keyPrefix = keyPrefix;
		this.allowOnFailure = allowOnFailure;
		this.outage = outage;
		this.errors = errors;
	}

	/**
	 * Connects and loads the script ahead of the first handshake, without waiting for it: a first
	 * call that had to connect could take longer than {@link #TIMEOUT}.
	 */
	void warmUp() {
		byte[] script = SCRIPT.getScriptAsString().getBytes(StandardCharsets.UTF_8);
		redis.execute(connection -> connection.scriptingCommands().scriptLoad(ByteBuffer.wrap(script)))
			.next()
			.timeout(WARM_UP_TIMEOUT)
			.subscribe(sha -> outage.answered(), ex -> outage.failed(ex, allowOnFailure ? "allowed" : "refused"));
	}

	/** Asks Redis for a permit of url rule {@code rule} for {@code key}. */
	@SuppressWarnings("unchecked")
	Mono<Decision> acquire(int rule, String key, Permits permits) {
		long periodMicros = Math.max(1, permits.periodNanos() / 1000);
		List<String> args = List.of(String.valueOf(permits.limitForPeriod()), String.valueOf(periodMicros),
				String.valueOf(permits.maxTokens()));
		return redis.execute(SCRIPT, List.of(redisKey(rule, key)), args)
			.next()
			.timeout(TIMEOUT)
			.map(reply -> {
				List<Long> values = (List<Long>) reply;
				outage.answered();
				long nanos = Math.max(0, values.get(1)) * 1000;
				return (values.get(0) == 1) ? (nanos == 0 ? Decision.PERMITTED : Decision.after(nanos))
						: Decision.refused(nanos);
			})
			.onErrorResume(ex -> {
				errors.increment();
				outage.failed(ex, allowOnFailure ? "allowed" : "refused");
				return Mono.just(allowOnFailure ? Decision.PERMITTED : Decision.refused(1_000_000_000L));
			});
	}

	/**
	 * The counter's Redis key: the key itself is hashed, as it may be a header's value (an API key)
	 * that has no place in Redis's key space.
	 */
	String redisKey(int rule, String key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
			return keyPrefix + rule + ":" + HexFormat.of().formatHex(digest, 0, 16);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}
}
