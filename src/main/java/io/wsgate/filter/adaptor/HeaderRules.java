package io.wsgate.filter.adaptor;

import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a header name and value given to {@code header} must be. Values are never quoted in a
 * problem: a header set for the backend may carry a credential.
 */
final class HeaderRules {

	/**
	 * Hop-by-hop headers (RFC 9110 7.6.1) and the handshake's own, which the gateway writes for each
	 * connection: changing them would break the handshake or the connection.
	 */
	private static final Set<String> MANAGED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
			"transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "content-length");

	/** RFC 9110 5.6.2: the characters of a token besides letters and digits. */
	private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

	private HeaderRules() {
	}

	/** What is wrong with a header name given to {@code header}; null when it may be changed. */
	static @Nullable String nameProblem(String name) {
		if (name.isEmpty()) {
			return "an empty header name";
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean token = (c < 128 && Character.isLetterOrDigit(c)) || TOKEN_SYMBOLS.indexOf(c) >= 0;
			if (!token) {
				return "'" + name + "' is not a valid header name (character " + (i + 1) + ")";
			}
		}
		String lower = name.toLowerCase(Locale.ROOT);
		if (lower.equals("host")) {
			return "Host cannot be changed through header: use the filter's 'host' key";
		}
		if (MANAGED.contains(lower) || lower.startsWith("sec-websocket-")) {
			return name + " is a hop-by-hop or handshake header, which the gateway writes itself";
		}
		return null;
	}

	/** What is wrong with a header value (null: nothing); never quotes the value. */
	static @Nullable String valueProblem(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
				return "the value has a character not allowed in a header (position " + (i + 1) + ")";
			}
		}
		return null;
	}
}
