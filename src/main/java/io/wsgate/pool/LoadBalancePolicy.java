package io.wsgate.pool;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.wsgate.request.RequestInfo;

/**
 * Picks one server of a non-empty list of healthy servers for a request.
 */
@FunctionalInterface
public interface LoadBalancePolicy {

	Server choose(List<Server> healthy, RequestInfo request);

	/** Policy names as written in {@code loadBalance.policy}, each to its factory (given headerHashKey). */
	Map<String, Function<String, LoadBalancePolicy>> BY_NAME = Map.of(
			"roundrobin", key -> roundRobin(),
			"random", key -> random(),
			"weightedrandom", key -> weightedRandom(),
			"iphash", key -> ipHash(),
			"headerhash", LoadBalancePolicy::headerHash,
			"cookiehash", key -> headerHash("Cookie"));

	/** The factory of a policy name (case-insensitive), or null when unknown. */
	static Function<String, LoadBalancePolicy> named(String name) {
		return BY_NAME.get(name.toLowerCase(Locale.ROOT));
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

	/** FNV-1 of the first value of a header ("" when absent); cookieHash hashes the whole Cookie header. */
	static LoadBalancePolicy headerHash(String headerName) {
		return (healthy, request) -> healthy.get(Hashing.bucket(request.header(headerName), healthy.size()));
	}
}
