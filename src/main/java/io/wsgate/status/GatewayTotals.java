package io.wsgate.status;

import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.metrics.ServerMeters;
import io.wsgate.metrics.WsgateMeters;

/**
 * Gateway-wide sums of the wsgate meters, read the same way for the status endpoint and for its
 * history. Counters read 0 when the wsgate meters are disabled.
 */
public final class GatewayTotals {

	/**
	 * One reading.
	 *
	 * @param activeSessions sessions being relayed now
	 * @param sessions handshakes that reached a WebSocketProxy, by outcome
	 * @param messages messages relayed, both directions
	 * @param bytes payload bytes relayed, both directions
	 * @param backendErrors failed backend dials
	 */
	public record Totals(long activeSessions, Map<String, Long> sessions, long messages, long bytes, long backendErrors) {

		/** Every handshake that reached a WebSocketProxy, whatever its outcome. */
		public long handshakes() {
			return sessions.values().stream().mapToLong(Long::longValue).sum();
		}

		/** Handshakes answered with something other than a 101. */
		public long refusals() {
			return handshakes() - sessions.getOrDefault(HandshakeOutcome.UPGRADED.tag(), 0L);
		}
	}

	private final GatewayMetrics metrics;

	private final MeterRegistry registry;

	public GatewayTotals(GatewayMetrics metrics, MeterRegistry registry) {
		this.metrics = metrics;
		this.registry = registry;
	}

	public Totals read() {
		long active = 0;
		long messages = 0;
		long bytes = 0;
		long errors = 0;
		// Every metered server: a server a reload removed counts while its sessions run on.
		for (ServerMeters meters : metrics.servers()) {
			active += meters.activeSessions();
			messages += (long) meters.messageCount(Direction.UPSTREAM) + (long) meters.messageCount(Direction.DOWNSTREAM);
			bytes += (long) meters.byteCount(Direction.UPSTREAM) + (long) meters.byteCount(Direction.DOWNSTREAM);
			errors += (long) meters.dialErrorCount();
		}
		return new Totals(active, sum(WsgateMeters.SESSIONS, "outcome"), messages, bytes, errors);
	}

	/** Ended sessions by close code (codes 3xxx and 4xxx grouped, as the meter tags them). */
	public Map<String, Long> closesByCode() {
		return sum(WsgateMeters.CLOSES, "code");
	}

	private Map<String, Long> sum(WsgateMeters meter, String byTag) {
		Map<String, Long> sums = new TreeMap<>();
		for (Counter counter : registry.find(meter.meterName()).counters()) {
			sums.merge(counter.getId().getTag(byTag), (long) counter.count(), Long::sum);
		}
		return sums;
	}
}
