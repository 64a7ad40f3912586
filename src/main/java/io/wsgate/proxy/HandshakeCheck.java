package io.wsgate.proxy;

import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * Checks that a request is a valid RFC 6455 opening handshake before any backend is dialled.
 * A plain HTTP request answers 426 (with {@code Upgrade: websocket}), a wrong method 405, a bad
 * version 426 with the supported version, and a bad key 400.
 */
final class HandshakeCheck {

	private HandshakeCheck() {
	}

	/**
	 * Why the handshake is refused.
	 *
	 * @param status the HTTP status to answer with
	 * @param message the one-line body
	 * @param headerName an extra response header's name; null when none
	 * @param headerValue its value
	 */
	record Refusal(int status, String message, @Nullable String headerName, @Nullable String headerValue) {
	}

	/** The refusal for this request; null when it is a valid WebSocket handshake. */
	static @Nullable Refusal check(String method, HttpHeaders headers) {
		return check("HTTP/1.1", method, headers);
	}

	/**
	 * The refusal for this request; null when it is a valid WebSocket handshake.
	 * @param protocol the request's HTTP version, e.g. {@code HTTP/1.1}
	 */
	static @Nullable Refusal check(String protocol, String method, HttpHeaders headers) {
		if ("HTTP/1.0".equals(protocol)) {
			// RFC 6455 4.1 needs HTTP/1.1; an HTTP/1.0 server ignores Upgrade (RFC 9110 7.8).
			return new Refusal(426, "a WebSocket handshake needs HTTP/1.1", HttpHeaders.UPGRADE, "websocket");
		}
		if (!hasToken(headers.getOrEmpty(HttpHeaders.UPGRADE), "websocket")
				|| !hasToken(headers.getOrEmpty(HttpHeaders.CONNECTION), "upgrade")) {
			return new Refusal(426, "this route accepts WebSocket connections only (expected Upgrade: websocket)",
					HttpHeaders.UPGRADE, "websocket");
		}
		if (!"GET".equals(method)) {
			return new Refusal(405, "a WebSocket handshake must use GET, not " + method, HttpHeaders.ALLOW, "GET");
		}
		if (!"13".equals(headers.getFirst("Sec-WebSocket-Version"))) {
			return new Refusal(426, "unsupported Sec-WebSocket-Version (only 13 is supported)",
					"Sec-WebSocket-Version", "13");
		}
		List<String> keys = headers.getOrEmpty("Sec-WebSocket-Key");
		if (keys.size() != 1 || !isValidKey(keys.get(0))) {
			return new Refusal(400, "missing or invalid Sec-WebSocket-Key", null, null);
		}
		return null;
	}

	private static boolean isValidKey(String key) {
		try {
			return Base64.getDecoder().decode(key.trim()).length == 16;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/**
	 * Whether a comma-separated header has the token (case-insensitive; {@code token} is lower case ASCII).
	 * Compared in place: no split, no lower-cased copy of the header.
	 */
	static boolean hasToken(List<String> values, String token) {
		for (String value : values) {
			int start = 0;
			while (start <= value.length()) {
				int comma = value.indexOf(',', start);
				int end = (comma < 0) ? value.length() : comma;
				if (isToken(value, start, end, token)) {
					return true;
				}
				start = end + 1;
			}
		}
		return false;
	}

	/** Whether value[start, end), trimmed as {@link String#trim} does, is the token. */
	private static boolean isToken(String value, int start, int end, String token) {
		while (start < end && value.charAt(start) <= ' ') {
			start++;
		}
		while (end > start && value.charAt(end - 1) <= ' ') {
			end--;
		}
		if (end - start != token.length()) {
			return false;
		}
		for (int i = 0; i < token.length(); i++) {
			if (Character.toLowerCase(value.charAt(start + i)) != token.charAt(i)) {
				return false;
			}
		}
		return true;
	}
}
