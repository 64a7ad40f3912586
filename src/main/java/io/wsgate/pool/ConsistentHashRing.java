package io.wsgate.pool;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A consistent-hash ring over a fixed list of servers: a key keeps mapping to the same server
 * while that server stays in the list, and only the keys of a removed server move.
 */
final class ConsistentHashRing {

	private static final int POINTS_PER_SERVER = 160;

	private final List<Server> servers;

	private final long[] points;

	private final Server[] owners;

	ConsistentHashRing(List<Server> servers) {
		this.servers = servers;
		int n = servers.size() * POINTS_PER_SERVER;
		long[][] pairs = new long[n][];
		int i = 0;
		for (int s = 0; s < servers.size(); s++) {
			for (int p = 0; p < POINTS_PER_SERVER; p++) {
				pairs[i++] = new long[] { Hashing.hash64(servers.get(s).url() + "#" + p), s };
			}
		}
		Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
		this.points = new long[n];
		this.owners = new Server[n];
		for (int k = 0; k < n; k++) {
			points[k] = pairs[k][0];
			owners[k] = servers.get((int) pairs[k][1]);
		}
	}

	/** Whether this ring was built from exactly this list instance. */
	boolean isFor(List<Server> list) {
		return servers == list;
	}

	@Nullable Server locate(String key) {
		if (points.length == 0) {
			return null;
		}
		int index = Arrays.binarySearch(points, Hashing.hash64(key));
		if (index < 0) {
			index = -index - 1;
		}
		return owners[index % points.length];
	}
}
