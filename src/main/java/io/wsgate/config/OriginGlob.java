package io.wsgate.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An {@code originPatterns} entry as a pattern over an Origin's host (and port), lower case. Here,
 * beside the validation that compiles each entry once at startup, so the proxy that matches them
 * and the validator that checks them share one reading.
 */
public final class OriginGlob {

	private OriginGlob() {
	}

	/** Go filepath.Match semantics: '*' any run without '/', '?' one character, '[...]' a class. */
	public static Pattern compile(String glob) {
		StringBuilder regex = new StringBuilder();
		String g = glob.toLowerCase(Locale.ROOT);
		for (int i = 0; i < g.length(); i++) {
			char c = g.charAt(i);
			switch (c) {
				case '*' -> regex.append("[^/]*");
				case '?' -> regex.append("[^/]");
				case '[' -> {
					int end = g.indexOf(']', i + 1);
					if (end < 0) {
						throw new IllegalArgumentException("unclosed '[' in origin pattern '" + glob + "'");
					}
					// Go's class syntax ([a-z], [^x]) is also Java's.
					regex.append(g, i, end + 1);
					i = end;
				}
				case '\\' -> {
					if (i + 1 < g.length()) {
						regex.append(Pattern.quote(String.valueOf(g.charAt(++i))));
					}
				}
				default -> regex.append(Pattern.quote(String.valueOf(c)));
			}
		}
		return Pattern.compile(regex.toString());
	}
}
