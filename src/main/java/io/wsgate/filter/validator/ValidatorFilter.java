package io.wsgate.filter.validator;

import java.util.Map;
import java.util.Set;

import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.Refusal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

/**
 * A {@code Validator} filter: headers first (403), then basic credentials, then the JWT (401 with
 * {@code WWW-Authenticate}). Each check given must pass; a refusal ends the flow with the result
 * {@code invalid} unless {@code jumpIf} names it. With {@code firstMessage} the handshake carries no
 * token: the JWT is checked on the client's first message instead.
 */
final class ValidatorFilter implements Filter {

	static final String INVALID = "invalid";

	static final Set<String> RESULTS = Set.of(INVALID);

	static final String REALM = "wsgate";

	private final @Nullable HeaderCheck headers;

	private final @Nullable BasicAuthCheck basicAuth;

	private final @Nullable JwtCheck jwt;

	private final @Nullable FirstMessageTokenCheck firstMessage;

	/** Each check may be null: not configured. */
	ValidatorFilter(@Nullable HeaderCheck headers, @Nullable BasicAuthCheck basicAuth, @Nullable JwtCheck jwt,
			@Nullable FirstMessageTokenCheck firstMessage) {
		this.headers = headers;
		this.basicAuth = basicAuth;
		this.jwt = jwt;
		this.firstMessage = firstMessage;
	}

	@Override
	public Mono<String> handle(FilterContext context) {
		if (headers != null) {
			String mismatch = headers.firstMismatch(context.request().getHeaders());
			if (mismatch != null) {
				return context.refuse(new Refusal(403, "forbidden", "header " + mismatch + " not accepted"), INVALID);
			}
		}
		Mono<Refusal> refusal = Mono.empty();
		if (basicAuth != null) {
			refusal = basicAuth.check(context.request().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))
				.map(reason -> unauthorized(reason, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\""));
		}
		JwtCheck jwtCheck = jwt;
		if (jwtCheck != null) {
			refusal = refusal.switchIfEmpty(Mono.defer(() -> checkJwt(context, jwtCheck)));
		}
		return refusal.flatMap(found -> context.refuse(found, INVALID)).defaultIfEmpty(CONTINUE);
	}

	private Mono<Refusal> checkJwt(FilterContext context, JwtCheck jwt) {
		BackendRequest backend = context.backendRequest();
		// Taken even when the first message carries the token: a copy in the query or a
		// subprotocol never reaches the backend.
		String token = jwt.sources().take(context.request(), backend);
		if (firstMessage != null) {
			context.sessionGuards().checkFirstMessage(firstMessage);
			return Mono.empty();
		}
		if (token == null) {
			return Mono.just(unauthorized("missing token", "Bearer realm=\"" + REALM + "\""));
		}
		return jwt.verify(token, backend, context.sessionGuards(), context.attributes())
			.map(reason -> unauthorized(reason, "Bearer realm=\"" + REALM + "\", error=\"invalid_token\""));
	}

	private static Refusal unauthorized(String reason, String challenge) {
		return new Refusal(401, "unauthorized", reason, Map.of(HttpHeaders.WWW_AUTHENTICATE, challenge));
	}
}
