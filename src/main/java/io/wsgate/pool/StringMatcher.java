package io.wsgate.pool;

import java.util.regex.Pattern;

import io.wsgate.config.PoolSpec.StringMatcherSpec;
import org.jspecify.annotations.Nullable;

/** A compiled {@link StringMatcherSpec}: the set conditions are ORed; a regex is searched. */
record StringMatcher(String exact, String prefix, @Nullable Pattern regex, boolean empty) {

	static StringMatcher of(StringMatcherSpec spec) {
		return new StringMatcher(spec.exact(), spec.prefix(),
				spec.regex().isEmpty() ? null : Pattern.compile(spec.regex()), spec.empty());
	}

	boolean matches(String value) {
		return (empty && value.isEmpty()) || (!exact.isEmpty() && exact.equals(value))
				|| (!prefix.isEmpty() && value.startsWith(prefix)) || (regex != null && regex.matcher(value).find());
	}
}
