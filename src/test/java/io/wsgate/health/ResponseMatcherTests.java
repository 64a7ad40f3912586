package io.wsgate.health;

import java.util.List;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.config.HealthCheckSpec.BodyMatchSpec;
import io.wsgate.config.HealthCheckSpec.HeaderMatchSpec;
import io.wsgate.config.HealthCheckSpec.MatchSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseMatcherTests {

	private static final int[] HTTP_DEFAULT = { 200, 399 };

	private static final HttpHeaders NO_HEADERS = new DefaultHttpHeaders();

	@Test
	void defaultRangeAppliesWhenNoneIsConfigured() {
		ResponseMatcher matcher = new ResponseMatcher(new MatchSpec(null, null, null), HTTP_DEFAULT);
		assertThat(matcher.mismatch(200, NO_HEADERS::get, "")).isNull();
		assertThat(matcher.mismatch(302, NO_HEADERS::get, "")).isNull();
		assertThat(matcher.mismatch(404, NO_HEADERS::get, "")).isEqualTo("status 404 not in [[200,399]]");
	}

	@Test
	void anyConfiguredRangeMatches() {
		ResponseMatcher matcher = new ResponseMatcher(new MatchSpec(List.of(List.of(200, 299), List.of(400, 499)), null, null),
				HTTP_DEFAULT);
		assertThat(matcher.mismatch(404, NO_HEADERS::get, "")).isNull();
		assertThat(matcher.mismatch(302, NO_HEADERS::get, "")).isEqualTo("status 302 not in [[200,299], [400,499]]");
	}

	@Test
	void headerRulesUseExactOrRegexpSearch() {
		ResponseMatcher matcher = new ResponseMatcher(new MatchSpec(null, List.of(new HeaderMatchSpec("X-Status", "healthy", null),
				new HeaderMatchSpec("X-Version", "^v2\\.", "regexp")), null), HTTP_DEFAULT);
		HttpHeaders good = new DefaultHttpHeaders().add("X-Status", "healthy").add("X-Version", "v2.7");
		assertThat(matcher.mismatch(200, good::get, "")).isNull();
		assertThat(matcher.mismatch(200, new DefaultHttpHeaders().add("X-Status", "healthy").add("X-Version", "v3.0")::get, ""))
			.isEqualTo("header X-Version 'v3.0' does not match");
		assertThat(matcher.mismatch(200, new DefaultHttpHeaders().add("X-Version", "v2.1")::get, ""))
			.isEqualTo("header X-Status missing");
	}

	@Test
	void bodyRuleContainsOrRegexp() {
		ResponseMatcher contains = new ResponseMatcher(new MatchSpec(null, null, new BodyMatchSpec("success", null)), HTTP_DEFAULT);
		assertThat(contains.mismatch(200, NO_HEADERS::get, "big success")).isNull();
		assertThat(contains.mismatch(200, NO_HEADERS::get, "failure")).isEqualTo("body does not contain 'success'");
		ResponseMatcher regexp = new ResponseMatcher(new MatchSpec(null, null, new BodyMatchSpec("\"status\":\\s*\"UP\"", "regexp")),
				HTTP_DEFAULT);
		assertThat(regexp.mismatch(200, NO_HEADERS::get, "{\"status\": \"UP\"}")).isNull();
		assertThat(regexp.mismatch(200, NO_HEADERS::get, "{\"status\": \"DOWN\"}")).startsWith("body does not match");
	}
}
