package io.wsgate.filter.validator;

import java.time.Duration;

import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.SessionGuards;
import io.wsgate.pipeline.SessionGuards.FirstMessageCheck;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code firstMessage}: the client's first message is its JWT, as the text itself or as the
 * {@code token} field of a JSON object, verified as the filter's {@code jwt} says. One per filter:
 * what a handshake changes is passed in.
 *
 * @param timeout how long the client has to send it
 * @param forward whether the message also goes to the backend
 * @param jwt the filter's JWT check
 */
record FirstMessageTokenCheck(Duration timeout, boolean forward, JwtCheck jwt) implements FirstMessageCheck {

	static final String MALFORMED = "malformed first message";

	@Override
	public Mono<String> check(String message, BackendRequest backend, SessionGuards session) {
		String token = token(message);
		return (token != null) ? jwt.verify(token, backend, session) : Mono.just(MALFORMED);
	}

	/** The token the message carries; null when it carries none. */
	static @Nullable String token(String message) {
		String text = message.trim();
		if (text.startsWith("{")) {
			try {
				JsonNode token = JsonMapper.shared().readTree(text).get("token");
				return (token != null && token.isString() && !token.stringValue().isBlank())
						? token.stringValue().trim() : null;
			}
			catch (JacksonException ex) {
				return null;
			}
		}
		// A compact JWT is three base64url parts; anything with spaces or quotes is not one.
		return (!text.isEmpty() && text.chars().noneMatch(c -> c <= ' ' || c == '"')) ? text : null;
	}
}
