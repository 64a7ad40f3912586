package io.wsgate.proxy;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.wsgate.config.OriginGlob;
import org.jspecify.annotations.Nullable;

/**
 * Guards against Cross-Site WebSocket Hijacking: a browser's {@code Origin} must name the request's
 * own host, or match one of the pool's {@code originPatterns} (case-insensitive globs on the
 * Origin's host[:port], as Go's filepath.Match, which Easegress uses), unless
 * {@code insecureSkipVerify} is set. Requests without Origin (non-browser clients) pass.
 */
final class OriginCheck {

	private final boolean skip;

	private final List<Pattern> patterns;

	OriginCheck(List<String> originPatterns, boolean insecureSkipVerify) {
		this.skip = insecureSkipVerify;
		this.patterns = originPatterns.stream().map(OriginGlob::compile).toList();
	}

	/** The reason for a 403; null when the Origin is allowed (or absent). */
	@Nullable String refusal(@Nullable String origin, @Nullable String hostHeader) {
		if (skip || origin == null) {
			return null;
		}
		String originHost = originHost(origin);
		if (!originHost.isEmpty() && hostHeader != null && originHost.equalsIgnoreCase(hostHeader.trim())) {
			return null;
		}
		for (Pattern pattern : patterns) {
			if (!originHost.isEmpty() && pattern.matcher(originHost).matches()) {
				return null;
			}
		}
		return "request Origin '" + origin + "' is not authorized for Host '" + hostHeader + "'";
	}

	/** The Origin's host[:port], lower case; "" when it has none or is not a URI. */
	static String originHost(String origin) {
		String trimmed = origin.trim();
		int authority = simpleAuthority(trimmed);
		if (authority > 0) {
			// What java.net.URI finds there, without parsing the whole of it: a browser's Origin is this simple.
			return trimmed.substring(authority).toLowerCase(Locale.ROOT);
		}
		try {
			URI uri = new URI(trimmed);
			return (uri.getRawAuthority() != null) ? uri.getRawAuthority().toLowerCase(Locale.ROOT) : "";
		}
		catch (Exception ex) {
			return "";
		}
	}

	/**
	 * Where the authority starts in {@code scheme://authority} whose authority is only letters, digits,
	 * dots, hyphens and colons (all of which java.net.URI keeps as the raw authority, whether or not it
	 * reads a host and port in it), and nothing follows; 0 for anything else.
	 */
	private static int simpleAuthority(String origin) {
		int colon = origin.indexOf("://");
		if (colon <= 0 || colon + 3 >= origin.length() || !isAsciiLetter(origin.charAt(0))) {
			return 0;
		}
		for (int i = 1; i < colon; i++) {
			char c = origin.charAt(i);
			if (!isAsciiLetter(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
				return 0;
			}
		}
		for (int i = colon + 3; i < origin.length(); i++) {
			char c = origin.charAt(i);
			if (!isAsciiLetter(c) && !isDigit(c) && c != '.' && c != '-' && c != ':') {
				return 0;
			}
		}
		return colon + 3;
	}

	private static boolean isAsciiLetter(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}
}
