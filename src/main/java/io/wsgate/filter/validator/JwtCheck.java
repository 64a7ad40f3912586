package io.wsgate.filter.validator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.SessionGuards;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Verifies a JWT with the filter's decoder (built once) and, when it is valid, sends its claims to
 * the backend and has the session closed at its expiry ({@code closeOnExpiry}). Reasons name what
 * was wrong, never the token: the decoder's messages are not passed on.
 */
final class JwtCheck {

	/** The close reason of a session whose token expired. */
	static final String EXPIRED_REASON = "token expired";

	private final ReactiveJwtDecoder decoder;

	private final TokenSources sources;

	/** The prefix of the context attributes that hold a valid token's claims. */
	static final String CLAIM_ATTRIBUTE = "claim.";

	private final ClaimHeaders claimHeaders;

	private final Duration clockSkew;

	private final boolean closeOnExpiry;

	private final VerifiedTokens verified = new VerifiedTokens();

	JwtCheck(ValidatorSpec.JwtSpec spec) {
		this.decoder = TokenDecoders.create(spec);
		this.sources = new TokenSources(spec.cookieName(), spec.queryParam(), spec.subprotocolPrefix());
		this.claimHeaders = new ClaimHeaders(spec.claimsToHeaders());
		this.clockSkew = spec.clockSkew();
		this.closeOnExpiry = spec.closeOnExpiry();
	}

	TokenSources sources() {
		return sources;
	}

	/**
	 * Completes empty when {@code token} is valid, after changing the backend's handshake and the
	 * session's guards; otherwise completes with the reason (no secret in it).
	 */
	Mono<String> verify(String token, BackendRequest backend, SessionGuards session) {
		return verify(token, backend, session, null);
	}

	/**
	 * As {@link #verify(String, BackendRequest, SessionGuards)}, and leaves each claim of a valid token
	 * in {@code attributes} as {@code claim.<name>}, for the filters after this one (a RateLimiter's
	 * {@code key: claim:<name>}); null: nowhere.
	 */
	Mono<String> verify(String token, BackendRequest backend, SessionGuards session,
			@Nullable Map<String, Object> attributes) {
		Instant now = Instant.now();
		Jwt known = verified.get(token, now);
		if (known != null) {
			String problem = timeProblem(known, now);
			if (problem != null) {
				verified.remove(token);
				return Mono.just(problem);
			}
			accept(known, backend, session, attributes);
			return Mono.empty();
		}
		return decoder.decode(token).flatMap(jwt -> {
			verified.put(token, jwt, now);
			accept(jwt, backend, session, attributes);
			return Mono.<String>empty();
		}).onErrorResume(error -> Mono.just(reason(error)));
	}

	/** A valid token's effects: its claims to the backend and to later filters, its expiry to the session. */
	private void accept(Jwt jwt, BackendRequest backend, SessionGuards session,
			@Nullable Map<String, Object> attributes) {
		claimHeaders.apply(jwt, backend);
		if (attributes != null) {
			jwt.getClaims().forEach((name, value) -> attributes.put(CLAIM_ATTRIBUTE + name, value));
		}
		Instant expiry = jwt.getExpiresAt();
		if (closeOnExpiry && expiry != null) {
			session.closeAt(expiry.plus(clockSkew), EXPIRED_REASON);
		}
	}

	/** What the decoder's timestamp check would say of a token verified earlier, now; null when it passes. */
	private @Nullable String timeProblem(Jwt jwt, Instant now) {
		Instant expiry = jwt.getExpiresAt();
		if (expiry != null && now.isAfter(expiry.plus(clockSkew))) {
			return "expired token";
		}
		Instant notBefore = jwt.getNotBefore();
		if (notBefore != null && now.isBefore(notBefore.minus(clockSkew))) {
			return "token claims not accepted";
		}
		return null;
	}

	/** Why a token was refused, for the access log: a few fixed words. */
	static String reason(Throwable error) {
		if (error instanceof JwtValidationException invalid) {
			for (OAuth2Error detail : invalid.getErrors()) {
				if (detail.getDescription() != null && detail.getDescription().startsWith("Jwt expired")) {
					return "expired token";
				}
			}
			return "token claims not accepted";
		}
		if (error instanceof BadJwtException) {
			return "invalid token";
		}
		// No keys (JWK set unreachable) or another failure of the decoder.
		return "token keys unavailable";
	}
}
