package io.wsgate.metrics;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.wsgate.metrics.WsgateMeters.TagKey;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one server of one pool, created once, so the message path only increments
 * counters it already holds.
 */
public final class ServerMeters {

	/** Why a dial failed, as the {@code reason} tag of {@code wsgate.backend.errors}. */
	public enum DialError implements TagValue {
		CONNECT, TIMEOUT, HANDSHAKE, PROTOCOL
	}

	private final AtomicInteger active = new AtomicInteger();

	/** Indexed by direction then type: [upstream text, upstream binary, downstream text, downstream binary]. */
	private final Counter[] messages = new Counter[4];

	private final Counter[] bytes = new Counter[4];

	private final Counter[] dialErrors = new Counter[DialError.values().length];

	private final MeterRegistry registry;

	private final Gauge activeGauge;

	/** Its server's health gauge, pointing at the pool in force (replaced by each applied configuration). */
	private volatile @Nullable Gauge healthy;

	/** Set when a reload removed the server: the meters go when its last session ends. */
	private volatile @Nullable Runnable onLastSession;

	ServerMeters(MeterRegistry registry, ServerPool pool, Server server) {
		this.registry = registry;
		Tags tags = tags(pool, server);
		this.activeGauge = Gauge.builder(WsgateMeters.SESSIONS_ACTIVE.meterName(), active, AtomicInteger::get)
			.description(WsgateMeters.SESSIONS_ACTIVE.description())
			.tags(tags)
			.register(registry);
		for (Direction direction : Direction.values()) {
			for (MessageType type : MessageType.values()) {
				int index = index(direction, type == MessageType.BINARY);
				Tags traffic = tags.and(TagKey.DIRECTION.asString(), direction.tag(), TagKey.TYPE.asString(), type.tag());
				messages[index] = Counter.builder(WsgateMeters.MESSAGES.meterName())
					.description(WsgateMeters.MESSAGES.description())
					.tags(traffic)
					.register(registry);
				bytes[index] = Counter.builder(WsgateMeters.BYTES.meterName())
					.description(WsgateMeters.BYTES.description())
					.baseUnit(WsgateMeters.BYTES.getBaseUnit())
					.tags(traffic)
					.register(registry);
			}
		}
		for (DialError error : DialError.values()) {
			dialErrors[error.ordinal()] = Counter.builder(WsgateMeters.BACKEND_ERRORS.meterName())
				.description(WsgateMeters.BACKEND_ERRORS.description())
				.tags(tags.and(TagKey.REASON.asString(), error.tag()))
				.register(registry);
		}
	}

	/** The tags that name a server: its pipeline, its pool and its URL. */
	static Tags tags(ServerPool pool, Server server) {
		return Tags.of(TagKey.PIPELINE.asString(), pool.pipeline(), TagKey.POOL.asString(), pool.name(),
				TagKey.SERVER.asString(), server.url());
	}

	static int index(Direction direction, boolean binary) {
		return direction.ordinal() * 2 + (binary ? 1 : 0);
	}

	public Counter messages(Direction direction, boolean binary) {
		return messages[index(direction, binary)];
	}

	public Counter bytes(Direction direction, boolean binary) {
		return bytes[index(direction, binary)];
	}

	public void sessionStarted() {
		active.incrementAndGet();
	}

	public void sessionEnded() {
		if (active.decrementAndGet() == 0) {
			Runnable retire = onLastSession;
			if (retire != null) {
				retire.run();
			}
		}
	}

	/** Points the health gauge at a pool's view of the server. */
	synchronized void healthGauge(ServerPool pool, Server server) {
		Gauge previous = healthy;
		if (previous != null) {
			registry.remove(previous);
		}
		this.healthy = Gauge.builder(WsgateMeters.SERVER_HEALTHY.meterName(), pool, p -> p.healthyServers().contains(server) ? 1 : 0)
			.description(WsgateMeters.SERVER_HEALTHY.description())
			.tags(tags(pool, server))
			.strongReference(true)
			.register(registry);
	}

	/**
	 * The server left the configuration: its meters are removed now if it has no session, else when
	 * its last session ends ({@code removed} is then called once).
	 */
	void retire(Runnable removed) {
		this.onLastSession = () -> remove(removed);
		if (active.get() == 0) {
			remove(removed);
		}
	}

	/** Back in the configuration before its last session ended: its meters stay. */
	void keep() {
		this.onLastSession = null;
	}

	private synchronized void remove(Runnable removed) {
		if (onLastSession == null) {
			return;
		}
		onLastSession = null;
		registry.remove(activeGauge);
		if (healthy != null) {
			registry.remove(healthy);
		}
		for (Counter[] counters : List.of(messages, bytes, dialErrors)) {
			for (Counter counter : counters) {
				registry.remove(counter);
			}
		}
		removed.run();
	}

	public int activeSessions() {
		return active.get();
	}

	public void dialFailed(DialError error) {
		dialErrors[error.ordinal()].increment();
	}

	/** Totals for the status endpoint: messages and bytes in a direction, and dial errors. */
	public double messageCount(Direction direction) {
		return messages(direction, false).count() + messages(direction, true).count();
	}

	public double byteCount(Direction direction) {
		return bytes(direction, false).count() + bytes(direction, true).count();
	}

	public double dialErrorCount() {
		double total = 0;
		for (Counter counter : dialErrors) {
			total += counter.count();
		}
		return total;
	}
}
