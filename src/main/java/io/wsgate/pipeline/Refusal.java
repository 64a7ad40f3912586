package io.wsgate.pipeline;

import java.util.Map;

/**
 * How a filter refuses a handshake: the HTTP answer the client gets when the flow ends on the
 * filter's result. The pipeline answers it, so a {@code jumpIf} that names the result can still send
 * the handshake elsewhere.
 *
 * @param status the HTTP status (401, 403, 429 ...)
 * @param message the one-line plain-text body
 * @param reason why, for the access log: short and free of secrets (never a token or a password)
 * @param headers response headers to set, such as {@code WWW-Authenticate} or {@code Retry-After}
 */
public record Refusal(int status, String message, String reason, Map<String, String> headers) {

	public Refusal {
		headers = Map.copyOf(headers);
	}

	public Refusal(int status, String message, String reason) {
		this(status, message, reason, Map.of());
	}
}
