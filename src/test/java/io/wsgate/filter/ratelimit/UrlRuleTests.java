package io.wsgate.filter.ratelimit;

import java.util.List;

import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.UrlSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which handshakes a url rule counts: its methods (all when none) and its path matcher. */
class UrlRuleTests {

	private static UrlRule rule(List<String> methods, String exact, String prefix, String regex) {
		return UrlRule.of(new UrlSpec(methods, new StringMatcherSpec(exact, prefix, regex, false), "p"), "p",
				new Permits(1, 1_000_000, 0));
	}

	@Test
	void exactMatchesThePathOnly() {
		UrlRule rule = rule(List.of(), "/chat", null, null);
		assertThat(rule.matches("GET", "/chat")).isTrue();
		assertThat(rule.matches("GET", "/chat/room")).isFalse();
	}

	@Test
	void prefixMatchesThePathsBelowIt() {
		UrlRule rule = rule(List.of(), null, "/chat", null);
		assertThat(rule.matches("GET", "/chat/room")).isTrue();
		assertThat(rule.matches("GET", "/news")).isFalse();
	}

	@Test
	void regexIsSearchedInThePath() {
		UrlRule rule = rule(List.of(), null, null, "^/rooms/[0-9]+$");
		assertThat(rule.matches("GET", "/rooms/42")).isTrue();
		assertThat(rule.matches("GET", "/rooms/x")).isFalse();
	}

	@Test
	void methodsNarrowTheRuleAndAreCaseInsensitive() {
		UrlRule rule = rule(List.of("get"), null, "/", null);
		assertThat(rule.matches("GET", "/chat")).isTrue();
		assertThat(rule.matches("POST", "/chat")).isFalse();
		assertThat(rule(List.of(), null, "/", null).matches("POST", "/chat")).isTrue();
	}
}
