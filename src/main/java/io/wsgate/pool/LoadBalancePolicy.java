package io.wsgate.pool;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

import io.wsgate.config.PoolSpec.Policy;
import io.wsgate.request.RequestInfo;

/**
 * Picks one server of a non-empty list of healthy servers for a request.
 */
@FunctionalInterface
public interface LoadBalancePolicy {

	Server choose(List<Server> healthy, RequestInfo request);

	/**
	 * What a policy may need of its pool.
	 *
	 * @param headerHashKey the header hashed by headerHash
	 * @param openSessions the sessions a server has now (dials under way included)
	 */
	record Context(String headerHashKey, ToIntFunction<Server> openSessions) {
	}

	/** The policy {@code policy} names, for a pool whose servers are counted by {@code context}. */
	static LoadBalancePolicy of(Policy policy, Context context) {
		return switch (policy) {
			case ROUND_ROBIN -> roundRobin();
			case RANDOM -> random();
			case WEIGHTED_RANDOM -> weightedRandom();
			case IP_HASH -> ipHash();
			case HEADER_HASH -> headerHash(context.headerHashKey());
			case COOKIE_HASH -> headerHash("Cookie");
			case LEAST_SESSIONS -> leastSessions(context.openSessions());
		};
	}

	/** Cycles through the servers in order; the first request gets the first server. */
	static LoadBalancePolicy roundRobin() {
		AtomicInteger sequence = new AtomicInteger();
		return (healthy, request) -> healthy.get(Math.floorMod(sequence.getAndIncrement(), healthy.size()));
	}

	static LoadBalancePolicy random() {
		return (healthy, request) -> healthy.get(ThreadLocalRandom.current().nextInt(healthy.size()));
	}

	/** Random, proportional to each server's weight. */
	static LoadBalancePolicy weightedRandom() {
		return (healthy, request) -> {
			int total = 0;
			for (Server server : healthy) {
				total += server.weight();
			}
			if (total <= 0) {
				return healthy.get(ThreadLocalRandom.current().nextInt(healthy.size()));
			}
			int ticket = ThreadLocalRandom.current().nextInt(total);
			for (Server server : healthy) {
				ticket -= server.weight();
				if (ticket < 0) {
					return server;
				}
			}
			return healthy.get(healthy.size() - 1);
		};
	}

	/** FNV-1 of the client's real IP (see {@link io.wsgate.request.RealIp}). */
	static LoadBalancePolicy ipHash() {
		return (healthy, request) -> healthy.get(Hashing.bucket(request.realIp(), healthy.size()));
	}

	/**
	 * The server with the fewest open sessions, relative to its weight when the servers are weighted;
	 * ties go round robin. For long-lived sessions this is what evens the load after a server is
	 * added or comes back: round robin would leave the old servers with all the sessions they have.
	 */
	static LoadBalancePolicy leastSessions(ToIntFunction<Server> openSessions) {
		AtomicInteger sequence = new AtomicInteger();
		return (healthy, request) -> {
			int start = Math.floorMod(sequence.getAndIncrement(), healthy.size());
			Server best = healthy.get(start);
			long bestSessions = openSessions.applyAsInt(best);
			for (int i = 1; i < healthy.size(); i++) {
				Server server = healthy.get((start + i) % healthy.size());
				long sessions = openSessions.applyAsInt(server);
				// sessions/weight < bestSessions/bestWeight, without division; weight 0 = unweighted.
				if (sessions * Math.max(1, best.weight()) < bestSessions * Math.max(1, server.weight())) {
					best = server;
					bestSessions = sessions;
				}
			}
			return best;
		};
	}

	/** FNV-1 of the first value of a header ("" when absent); cookieHash hashes the whole Cookie header. */
	static LoadBalancePolicy headerHash(String headerName) {
		return (healthy, request) -> healthy.get(Hashing.bucket(request.header(headerName), healthy.size()));
	}
}
