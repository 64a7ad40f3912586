package io.wsgate.pool;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Every server pool of the configuration in force, for health checks, Actuator and status. While a
 * new configuration is built, the pools its filters create are collected apart ({@link #beginBuild}),
 * and they can find the pool they take over from ({@link #previous}); they replace the pools in force
 * only when the new configuration is applied ({@link #commit}). Builds are serialized by their caller.
 */
public final class PoolRegistry {

	/**
	 * A pool and the pipeline it belongs to.
	 *
	 * @param pipeline the pipeline name
	 * @param pool the pool
	 */
	public record Entry(String pipeline, ServerPool pool) {
	}

	private volatile List<Entry> entries = List.of();

	private @Nullable List<Entry> building;

	/** While building: the addresses of each DNS name resolved so far ({@code dnsRefresh}). */
	private Map<String, List<String>> addresses = Map.of();

	/**
	 * Per server (pipeline, pool, URL): its sessions, from the dial until the backend connection
	 * closes. Shared by every generation of the pool, so a server removed by one reload and added
	 * back by another still counts the sessions it kept.
	 */
	private final Map<String, AtomicInteger> sessionCounts = new ConcurrentHashMap<>();

	/** Adds a pool: to the configuration being built if any, else to the one in force. */
	public synchronized void register(String pipeline, ServerPool pool) {
		if (building != null) {
			building.add(new Entry(pipeline, pool));
			return;
		}
		List<Entry> next = new ArrayList<>(entries);
		next.add(new Entry(pipeline, pool));
		entries = List.copyOf(next);
	}

	/** The pools of the configuration in force. */
	public List<Entry> entries() {
		return entries;
	}

	/** The pool in force of this pipeline and name, that a new one of the same place takes over from (null: none). */
	public @Nullable ServerPool previous(String pipeline, String name) {
		for (Entry entry : entries) {
			if (entry.pipeline().equals(pipeline) && entry.pool().name().equals(name)) {
				return entry.pool();
			}
		}
		return null;
	}

	/** The session count of a server of a pool, shared by every configuration that has it. */
	public AtomicInteger sessionCount(String pipeline, String pool, String url) {
		return sessionCounts.computeIfAbsent(key(pipeline, pool, url), k -> new AtomicInteger());
	}

	private static String key(String pipeline, String pool, String url) {
		return pipeline + '\0' + pool + '\0' + url;
	}

	/** Starts collecting the pools of a new configuration. */
	public synchronized void beginBuild() {
		beginBuild(Map.of());
	}

	/**
	 * Starts collecting the pools of a new configuration, whose servers with a DNS name (and
	 * {@code dnsRefresh}) become one server per address of the name here.
	 *
	 * @param addresses per DNS name, its addresses (IP literals) as last resolved
	 */
	public synchronized void beginBuild(Map<String, List<String>> addresses) {
		building = new ArrayList<>();
		this.addresses = Map.copyOf(addresses);
	}

	/** The addresses of a DNS name for the configuration being built (null: not resolved yet). */
	public synchronized @Nullable List<String> addresses(String name) {
		return addresses.get(name);
	}

	/** The pools collected since {@link #beginBuild}, which stops collecting. */
	public synchronized List<Entry> endBuild() {
		List<Entry> built = (building != null) ? List.copyOf(building) : List.of();
		building = null;
		addresses = Map.of();
		return built;
	}

	/** Makes these pools the ones in force. */
	public synchronized void commit(List<Entry> pools) {
		entries = List.copyOf(pools);
		Set<String> inForce = new HashSet<>();
		for (Entry entry : pools) {
			entry.pool().servers().forEach(server -> inForce.add(key(entry.pipeline(), entry.pool().name(), server.url())));
		}
		// The counts of servers gone, once their sessions ended.
		sessionCounts.entrySet().removeIf(count -> !inForce.contains(count.getKey()) && count.getValue().get() == 0);
	}
}
