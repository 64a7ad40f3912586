package io.wsgate.filter.validator;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.wsgate.pipeline.BackendRequest;

import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Sends a verified token's claims to the backend as headers ({@code claimsToHeaders}). They are
 * identity headers: the client's own copies are dropped, and {@code headerHash} sees them.
 */
final class ClaimHeaders {

	private final Map<String, String> claimToHeader;

	ClaimHeaders(Map<String, String> claimToHeader) {
		this.claimToHeader = claimToHeader;
	}

	void apply(Jwt jwt, BackendRequest backend) {
		claimToHeader.forEach((claim, header) -> {
			Object value = jwt.getClaims().get(claim);
			if (value == null) {
				// No claim, no header: the client's copy must pass for one neither with the backend nor
				// with load balancing (which hashes the empty value).
				backend.setIdentityHeader(header, "");
				backend.removeHeader(header);
			}
			else {
				backend.setIdentityHeader(header, text(value));
			}
		});
	}

	/**
	 * A claim as a header value: lists comma-separated, times as epoch seconds (as in the token),
	 * control characters (no valid header holds them) as spaces.
	 */
	static String text(Object value) {
		String text;
		if (value instanceof Collection<?> values) {
			text = values.stream().map(ClaimHeaders::text).collect(Collectors.joining(","));
		}
		else if (value instanceof Instant instant) {
			text = Long.toString(instant.getEpochSecond());
		}
		else {
			text = value.toString();
		}
		return CONTROL.matcher(text).replaceAll(" ");
	}

	private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");
}
