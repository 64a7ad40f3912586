package io.wsgate.status;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.metrics.ServerMeters;
import io.wsgate.metrics.WsgateMeters;
import io.wsgate.metrics.WsgateMeters.TagKey;

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
	 * @param filterRefusals handshakes refused by a filter before any WebSocketProxy: the results other
	 * than continue of filters of the other kinds
	 */
	public record Totals(long activeSessions, Map<String, Long> sessions, long messages, long bytes, long backendErrors,
			long filterRefusals) {

		/** Every handshake that reached a WebSocketProxy, whatever its outcome, and those refused before it. */
		public long handshakes() {
			return sessions.values().stream().mapToLong(Long::longValue).sum() + filterRefusals;
		}

		/** Handshakes answered with something other than a 101, by a filter or by the proxy. */
		public long refusals() {
			return handshakes() - sessions.getOrDefault(HandshakeOutcome.UPGRADED.tag(), 0L);
		}
	}

	/**
	 * A filter of a pipeline, as {@code wsgate.filter.results} tags it.
	 *
	 * @param pipeline the pipeline's name
	 * @param filter the filter's name
	 */
	public record FilterId(String pipeline, String filter) {
	}

	/** The result tag of a filter that let the handshake go on (the Pipeline's). */
	static final String CONTINUE = WsgateMeters.CONTINUE_RESULT;

	/**
	 * The kind whose refusals {@code wsgate.sessions} already counts by outcome: its results are not
	 * added again. (A name, not the proxy's class: the proxy package depends on this one.)
	 */
	private static final String PROXY_KIND = "WebSocketProxy";

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
		return new Totals(active, sum(WsgateMeters.SESSIONS, TagKey.OUTCOME), messages, bytes, errors, filterRefusals());
	}

	/** Counts of {@code wsgate.filter.results} by filter, then by result; filters not run yet are absent. */
	public Map<FilterId, Map<String, Long>> filterResults() {
		Map<FilterId, Map<String, Long>> results = new HashMap<>();
		for (Counter counter : registry.find(WsgateMeters.FILTER_RESULTS.meterName()).counters()) {
			Meter.Id id = counter.getId();
			String pipeline = id.getTag(TagKey.PIPELINE.asString());
			String filter = id.getTag(TagKey.FILTER.asString());
			if (pipeline == null || filter == null) {
				// GatewayMetrics tags each with both: a counter without them is no filter's.
				continue;
			}
			results.computeIfAbsent(new FilterId(pipeline, filter), f -> new TreeMap<>())
				.merge(id.getTag(TagKey.RESULT.asString()), (long) counter.count(), Long::sum);
		}
		return results;
	}

	/**
	 * Results other than continue of filters that are not a WebSocketProxy. A result that a flow's
	 * {@code jumpIf} sends on to another filter counts too: the meter cannot tell it apart.
	 */
	private long filterRefusals() {
		long refusals = 0;
		for (Counter counter : registry.find(WsgateMeters.FILTER_RESULTS.meterName()).counters()) {
			Meter.Id id = counter.getId();
			if (!CONTINUE.equals(id.getTag(TagKey.RESULT.asString())) && !PROXY_KIND.equals(id.getTag(TagKey.KIND.asString()))) {
				refusals += (long) counter.count();
			}
		}
		return refusals;
	}

	/** Ended sessions by close code (codes 3xxx and 4xxx grouped, as the meter tags them). */
	public Map<String, Long> closesByCode() {
		return sum(WsgateMeters.CLOSES, TagKey.CODE);
	}

	private Map<String, Long> sum(WsgateMeters meter, TagKey byTag) {
		Map<String, Long> sums = new TreeMap<>();
		for (Counter counter : registry.find(meter.meterName()).counters()) {
			sums.merge(counter.getId().getTag(byTag.asString()), (long) counter.count(), Long::sum);
		}
		return sums;
	}
}
