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
		String originHost;
		try {
			URI uri = new URI(origin.trim());
			originHost = (uri.getRawAuthority() != null) ? uri.getRawAuthority().toLowerCase(Locale.ROOT) : "";
		}
		catch (Exception ex) {
			originHost = "";
		}
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
}
