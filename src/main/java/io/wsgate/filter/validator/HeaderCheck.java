package io.wsgate.filter.validator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * {@code headers}: every named header must be present, and each of its values must be one of
 * {@code values} or match {@code regexp} (the whole value).
 */
final class HeaderCheck {

	private final Map<String, Rule> rules;

	HeaderCheck(Map<String, ValidatorSpec.HeaderRuleSpec> specs) {
		Map<String, Rule> built = new LinkedHashMap<>();
		specs.forEach((name, spec) -> built.put(name,
				new Rule(spec.values(), spec.regexp().isEmpty() ? null : Pattern.compile(spec.regexp()))));
		this.rules = built;
	}

	/** The name of the first header that does not match; null when all do. */
	@Nullable String firstMismatch(HttpHeaders headers) {
		for (Map.Entry<String, Rule> rule : rules.entrySet()) {
			List<String> values = headers.get(rule.getKey());
			if (values == null || values.isEmpty() || !values.stream().allMatch(rule.getValue()::accepts)) {
				return rule.getKey();
			}
		}
		return null;
	}

	private record Rule(List<String> values, @Nullable Pattern regexp) {

		boolean accepts(String value) {
			return values.contains(value) || (regexp != null && regexp.matcher(value).matches());
		}
	}
}
