package io.wsgate.pool;

import java.nio.charset.StandardCharsets;

/** The hash functions of load balancing. */
final class Hashing {

	private Hashing() {
	}

	/** 32-bit FNV-1 (not 1a), as Easegress hashes for ipHash, headerHash and cookieHash. */
	static int fnv1(String text) {
		int hash = 0x811C9DC5;
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			hash *= 0x01000193;
			hash ^= (b & 0xFF);
		}
		return hash;
	}

	/** The FNV-1 hash of {@code text} as a bucket index in {@code [0, n)}. */
	static int bucket(String text, int n) {
		return (int) (Integer.toUnsignedLong(fnv1(text)) % n);
	}

	/** 64-bit hash with good avalanche for the consistent-hash ring (FNV-1a then the murmur3 finaliser). */
	static long hash64(String text) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xFF);
			hash *= 0x100000001b3L;
		}
		hash ^= hash >>> 33;
		hash *= 0xff51afd7ed558ccdL;
		hash ^= hash >>> 33;
		hash *= 0xc4ceb9fe1a85ec53L;
		hash ^= hash >>> 33;
		return hash;
	}
}
