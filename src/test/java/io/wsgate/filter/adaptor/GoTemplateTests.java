package io.wsgate.filter.adaptor;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Go's regexp.Expand syntax, which Easegress's regexpReplace uses. */
class GoTemplateTests {

	private static final Pattern USER = Pattern.compile("/u/(?<id>\\d+)(/x)?");

	@Test
	void groupsByNumberAndByNameBracedOrNot() {
		assertThat(replace("[$1|${1}|$id|${id}|$0]", "/u/7")).isEqualTo("[7|7|7|7|/u/7]");
	}

	@Test
	void aNameIsTheLongestRunOfWordCharacters() {
		assertThat(replace("$1x", "/u/7")).as("$1x names group '1x', which does not exist").isEmpty();
		assertThat(replace("${1}x", "/u/7")).isEqualTo("7x");
	}

	@Test
	void missingOrUnmatchedGroupsExpandToNothing() {
		assertThat(replace("<$2|$9|$nope>", "/u/7")).isEqualTo("<||>");
	}

	@Test
	void dollarsAndBackslashesAreLiteralWhereGoSaysSo() {
		assertThat(replace("$$1 $ ${ \\1 $-", "/u/7")).isEqualTo("$1 $ ${ \\1 $-");
	}

	private static String replace(String template, String input) {
		return GoTemplate.parse(template).replaceAll(USER, input);
	}
}
