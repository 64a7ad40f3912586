package io.wsgate.proxy.session;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.wsgate.config.WsgateProperties.LimitsSpec;
import io.wsgate.pool.ServerPool;
import org.jspecify.annotations.Nullable;

/**
 * The sessions of the gateway: admission against the global, per-pool and per-client-address
 * limits (reserved before the backend is dialled, released when the session or the attempt ends),
 * and the sessions that relay, so a shutdown or a reload can close them.
 */
public final class SessionRegistry {

	/**
	 * Why a handshake is not admitted.
	 *
	 * @param status 503 (gateway or pool full, shutting down) or 429 (this client has too many)
	 * @param message the one-line body
	 */
	public record Refusal(int status, String message) {
	}

	private final LimitsSpec limits;

	private final AtomicInteger total = new AtomicInteger();

	/**
	 * By pipeline and pool name (a pool's name is unique only inside its pipeline), not by pool
	 * object: the pool that takes over from it in a reloaded configuration shares its count.
	 */
	private final Map<String, AtomicInteger> perPool = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

	private final Set<ProxySession> open = ConcurrentHashMap.newKeySet();

	private volatile boolean draining;

	public SessionRegistry(LimitsSpec limits) {
		this.limits = limits;
	}

	/** Reserves a place for a session, or says why not; a reservation must be released exactly once. */
	@Nullable Refusal admit(ServerPool pool, String clientIp) {
		if (draining) {
			return new Refusal(503, "the gateway is shutting down");
		}
		if (!reserve(total, limits.maxSessions())) {
			return new Refusal(503, "too many sessions on the gateway");
		}
		if (!reserve(perPool.computeIfAbsent(key(pool), k -> new AtomicInteger()), pool.spec().maxSessions())) {
			total.decrementAndGet();
			return new Refusal(503, "too many sessions on this route");
		}
		if (limits.maxSessionsPerClientIp() > 0) {
			if (!reservePerClient(clientIp)) {
				poolCount(pool).decrementAndGet();
				total.decrementAndGet();
				return new Refusal(429, "too many sessions from this address");
			}
		}
		return null;
	}

	/** Releases the place reserved by a successful {@link #admit}. */
	void release(ServerPool pool, String clientIp) {
		total.decrementAndGet();
		poolCount(pool).decrementAndGet();
		if (limits.maxSessionsPerClientIp() > 0) {
			// Drop the entry at zero so the map only holds clients with open sessions.
			perClient.computeIfPresent(clientIp, (ip, count) -> (count.decrementAndGet() == 0) ? null : count);
		}
	}

	void opened(ProxySession session) {
		open.add(session);
	}

	void closed(ProxySession session) {
		open.remove(session);
	}

	/** The number of sessions admitted and not yet ended. */
	public int active() {
		return total.get();
	}

	/** Refuses new sessions from now on (503). */
	public void startDraining() {
		draining = true;
	}

	/** Closes every open session with 1001 on both sides. */
	public void goAwayAll(String reason) {
		open.forEach(session -> session.goAway(reason));
	}

	/**
	 * Closes with 1001 on both sides the open sessions whose place matches.
	 *
	 * @return how many were asked to close
	 */
	public int goAway(Predicate<Place> which, String reason) {
		int count = 0;
		for (ProxySession session : open) {
			if (which.test(session.place())) {
				session.goAway(reason);
				count++;
			}
		}
		return count;
	}

	/** The sessions admitted to a pool and not yet ended (those of its predecessors included). */
	public int active(ServerPool pool) {
		AtomicInteger count = perPool.get(key(pool));
		return (count != null) ? count.get() : 0;
	}

	/**
	 * Where an open session runs.
	 *
	 * @param httpServer the http server that accepted it
	 * @param pipeline its pipeline
	 * @param pool its pool's name
	 * @param server its server's URL
	 */
	public record Place(String httpServer, String pipeline, String pool, String server) {
	}

	/** The count of a pool that {@link #admit} has seen. */
	private AtomicInteger poolCount(ServerPool pool) {
		return Objects.requireNonNull(perPool.get(key(pool)), "pool never admitted to");
	}

	private static String key(ServerPool pool) {
		return pool.pipeline() + '\0' + pool.name();
	}

	/** Atomic per address with {@link #release}, which removes an address's entry at zero. */
	private boolean reservePerClient(String clientIp) {
		boolean[] reserved = new boolean[1];
		perClient.compute(clientIp, (ip, count) -> {
			AtomicInteger current = (count != null) ? count : new AtomicInteger();
			if (current.get() < limits.maxSessionsPerClientIp()) {
				current.incrementAndGet();
				reserved[0] = true;
			}
			return (current.get() > 0) ? current : null;
		});
		return reserved[0];
	}

	private static boolean reserve(AtomicInteger count, int limit) {
		if (limit <= 0) {
			count.incrementAndGet();
			return true;
		}
		while (true) {
			int current = count.get();
			if (current >= limit) {
				return false;
			}
			if (count.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}
}
