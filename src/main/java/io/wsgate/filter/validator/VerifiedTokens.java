package io.wsgate.filter.validator;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Tokens a filter verified lately, so that a client coming back with the same token (a mobile
 * network that drops and reconnects, a reconnect storm after a deploy, several tabs of one user)
 * skips the parse and the signature check, as Envoy's JWT cache does. Only valid tokens are kept;
 * each serves for at most {@link #MAX_AGE} after its check (a key removed from a JWK set stops
 * serving its tokens by then), and its {@code exp} and {@code nbf} are checked again at each use.
 * Bounded: when full, it starts again empty.
 */
final class VerifiedTokens {

	static final int CAPACITY = 10_000;

	static final Duration MAX_AGE = Duration.ofMinutes(5);

	private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

	private record Entry(Jwt jwt, Instant verifiedAt) {
	}

	/** The token's verified form; null when it was not verified within {@link #MAX_AGE} of {@code now}. */
	@Nullable Jwt get(String token, Instant now) {
		Entry entry = entries.get(token);
		if (entry == null) {
			return null;
		}
		if (now.isAfter(entry.verifiedAt().plus(MAX_AGE))) {
			entries.remove(token, entry);
			return null;
		}
		return entry.jwt();
	}

	void put(String token, Jwt jwt, Instant now) {
		if (entries.size() >= CAPACITY) {
			entries.clear();
		}
		entries.put(token, new Entry(jwt, now));
	}

	void remove(String token) {
		entries.remove(token);
	}

	int size() {
		return entries.size();
	}
}
