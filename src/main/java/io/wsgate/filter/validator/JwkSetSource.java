package io.wsgate.filter.validator;

import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * The keys of {@code jwksUri}: fetched with WebClient (never blocking) by the first token that needs
 * them, cached, and fetched again when a token names a {@code kid} the cached set lacks (key
 * rotation). Unlike Spring's remote source, concurrent handshakes share one fetch, and unknown
 * kids cause at most one fetch per {@code minRefreshInterval}: tokens with made-up kids cannot make
 * the gateway hammer the identity provider. A failed fetch is not cached.
 */
final class JwkSetSource implements Function<SignedJWT, Flux<JWK>> {

	private final WebClient webClient;

	private final String uri;

	private final long minRefreshNanos;

	/** The current fetch or its result; null before the first one and after a failure. */
	private final AtomicReference<Mono<JWKSet>> keys = new AtomicReference<>();

	private volatile long lastFetchStart;

	JwkSetSource(WebClient webClient, String uri, Duration minRefreshInterval) {
		this.webClient = webClient;
		this.uri = uri;
		this.minRefreshNanos = minRefreshInterval.toNanos();
	}

	@Override
	public Flux<JWK> apply(SignedJWT jwt) {
		Mono<JWKSet> cached = keys.get();
		if (cached == null && lastFetchStart != 0 && !refreshAllowed()) {
			// The last fetch failed a moment ago: no new one for every handshake.
			return Flux.error(new IllegalStateException("the JWK set at " + uri + " is unavailable"));
		}
		Mono<JWKSet> current = (cached != null) ? cached : startFetch(null);
		JWSHeader header = jwt.getHeader();
		JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(header));
		return current.flatMapMany(set -> {
			List<JWK> found = selector.select(set);
			String kid = header.getKeyID();
			if (!found.isEmpty() || kid == null || set.getKeyByKeyId(kid) != null || !refreshAllowed()) {
				return Flux.fromIterable(found);
			}
			return startFetch(current).flatMapIterable(selector::select);
		});
	}

	private boolean refreshAllowed() {
		return System.nanoTime() - lastFetchStart >= minRefreshNanos;
	}

	/**
	 * Replaces {@code expected} (the cached keys; null when none) with a new fetch, unless another handshake
	 * did so already: then that fetch is shared.
	 */
	private Mono<JWKSet> startFetch(@Nullable Mono<JWKSet> expected) {
		AtomicReference<Mono<JWKSet>> self = new AtomicReference<>();
		Mono<JWKSet> fetch = fetch().doOnError(ex -> keys.compareAndSet(self.get(), null)).cache();
		self.set(fetch);
		if (keys.compareAndSet(expected, fetch)) {
			lastFetchStart = System.nanoTime();
			return fetch;
		}
		Mono<JWKSet> other = keys.get();
		return (other != null) ? other : fetch;
	}

	private Mono<JWKSet> fetch() {
		return webClient.get().uri(uri).retrieve().bodyToMono(String.class).map(body -> {
			try {
				return JWKSet.parse(body);
			}
			catch (ParseException ex) {
				throw new IllegalStateException("the JWK set at " + uri + " cannot be parsed", ex);
			}
		});
	}
}
