package io.wsgate.filter.adaptor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A replacement in Go's {@code regexp.Expand} syntax, which Easegress's {@code regexpReplace} uses:
 * {@code $1} or {@code ${1}} is a group by number, {@code $name} or {@code ${name}} a group by name
 * (the longest run of letters, digits and underscores), {@code $$} a dollar sign, and a {@code $}
 * followed by anything else stays as it is. A group that does not exist or did not match expands
 * to nothing. Java's own replacement syntax differs ({@code ${1}}, backslashes), hence this.
 */
final class GoTemplate {

	/** A literal run of text, or a reference to a group. */
	private record Part(@Nullable String literal, int group, @Nullable String name) {
	}

	private final List<Part> parts;

	private GoTemplate(List<Part> parts) {
		this.parts = List.copyOf(parts);
	}

	static GoTemplate parse(String template) {
		List<Part> parts = new ArrayList<>();
		StringBuilder literal = new StringBuilder();
		int i = 0;
		while (i < template.length()) {
			char c = template.charAt(i);
			if (c != '$') {
				literal.append(c);
				i++;
				continue;
			}
			if (i + 1 < template.length() && template.charAt(i + 1) == '$') {
				literal.append('$');
				i += 2;
				continue;
			}
			int end = referenceEnd(template, i + 1);
			if (end < 0) {
				literal.append('$');
				i++;
				continue;
			}
			boolean braced = template.charAt(i + 1) == '{';
			String name = braced ? template.substring(i + 2, end - 1) : template.substring(i + 1, end);
			if (!literal.isEmpty()) {
				parts.add(new Part(literal.toString(), -1, null));
				literal.setLength(0);
			}
			parts.add(name.chars().allMatch(Character::isDigit) ? new Part(null, groupNumber(name), null)
					: new Part(null, -1, name));
			i = end;
		}
		if (!literal.isEmpty()) {
			parts.add(new Part(literal.toString(), -1, null));
		}
		return new GoTemplate(parts);
	}

	/** Replaces every match of {@code pattern} in {@code input} with this template, expanded. */
	String replaceAll(Pattern pattern, String input) {
		Matcher matcher = pattern.matcher(input);
		return matcher.replaceAll(match -> Matcher.quoteReplacement(expand(matcher, match)));
	}

	private String expand(Matcher matcher, MatchResult match) {
		StringBuilder out = new StringBuilder();
		for (Part part : parts) {
			if (part.literal() != null) {
				out.append(part.literal());
			}
			else if (part.name() == null) {
				if (part.group() <= match.groupCount() && match.group(part.group()) != null) {
					out.append(match.group(part.group()));
				}
			}
			else {
				out.append(named(matcher, part.name()));
			}
		}
		return out.toString();
	}

	private static String named(Matcher matcher, String name) {
		try {
			String value = matcher.group(name);
			return (value != null) ? value : "";
		}
		catch (IllegalArgumentException ex) {
			// No group of that name: Go expands it to nothing.
			return "";
		}
	}

	/** A number too large for any pattern names no group. */
	private static int groupNumber(String digits) {
		return (digits.length() > 8) ? Integer.MAX_VALUE : Integer.parseInt(digits);
	}

	/** The end (exclusive) of the reference starting at {@code start}, just after a $; -1 when malformed. */
	private static int referenceEnd(String template, int start) {
		if (start >= template.length()) {
			return -1;
		}
		boolean braced = template.charAt(start) == '{';
		int i = braced ? start + 1 : start;
		int nameStart = i;
		while (i < template.length() && isNameChar(template.charAt(i))) {
			i++;
		}
		if (i == nameStart) {
			return -1;
		}
		if (braced) {
			return (i < template.length() && template.charAt(i) == '}') ? i + 1 : -1;
		}
		return i;
	}

	private static boolean isNameChar(char c) {
		return c == '_' || (c < 128 && Character.isLetterOrDigit(c));
	}
}
