package io.wsgate.pool;

import java.util.List;
import java.util.Map;

import io.wsgate.config.PoolSpec.RequestMatcherSpec;
import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.config.PoolSpec.UrlMatcherSpec;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class RequestMatcherTests {

	@Test
	void anyMatchingHeaderRuleIsEnoughByDefault() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(
				Map.of("X-A", exact("1"), "X-B", exact("2")), false, null));

		assertThat(matcher.matches(request("GET", "/", "X-A", "1"))).isTrue();
		assertThat(matcher.matches(request("GET", "/", "X-B", "2"))).isTrue();
		assertThat(matcher.matches(request("GET", "/", "X-A", "2"))).isFalse();
		assertThat(matcher.matches(request("GET", "/"))).isFalse();
	}

	@Test
	void anAbsentHeaderIsTestedAsTheEmptyString() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(
				Map.of("X-A", new StringMatcherSpec(null, null, "^$", false)), false, null));

		assertThat(matcher.matches(request("GET", "/"))).isTrue();
		assertThat(matcher.matches(request("GET", "/", "X-A", "x"))).isFalse();
	}

	@Test
	void emptyMatchesAnAbsentHeader() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(
				Map.of("X-Canary", new StringMatcherSpec(null, null, null, true)), false, null));

		assertThat(matcher.matches(request("GET", "/"))).isTrue();
		assertThat(matcher.matches(request("GET", "/", "X-Canary", ""))).isTrue();
		assertThat(matcher.matches(request("GET", "/", "X-Canary", "yes"))).isFalse();
	}

	@Test
	void anyValueOfARepeatedHeaderCanMatch() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(Map.of("X-A", exact("2")), false, null));
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-A", "1");
		headers.add("X-A", "2");

		assertThat(matcher.matches(RequestInfo.of("GET", "gw", "/", headers, "10.0.0.1"))).isTrue();
	}

	@Test
	void headerNamesAreCaseInsensitive() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(Map.of("X-Canary", exact("yes")), false, null));

		assertThat(matcher.matches(request("GET", "/", "x-canary", "yes"))).isTrue();
	}

	@Test
	void matchAllHeadersRequiresEveryHeaderRule() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(
				Map.of("X-A", exact("1"), "X-B", exact("2")), true, null));
		HttpHeaders both = new HttpHeaders();
		both.set("X-A", "1");
		both.set("X-B", "2");

		assertThat(matcher.matches(RequestInfo.of("GET", "gw", "/", both, "10.0.0.1"))).isTrue();
		assertThat(matcher.matches(request("GET", "/", "X-A", "1"))).isFalse();
		assertThat(matcher.matches(request("GET", "/", "X-B", "2"))).isFalse();
	}

	@Test
	void urlRuleRequiresOneOfItsMethodsAndItsPath() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(null, false,
				List.of(new UrlMatcherSpec(List.of("GET"), new StringMatcherSpec(null, "/abc", null, false)))));

		assertThat(matcher.matches(request("GET", "/abc"))).isTrue();
		assertThat(matcher.matches(request("GET", "/abc/def"))).isTrue();
		assertThat(matcher.matches(request("POST", "/abc"))).isFalse();
		assertThat(matcher.matches(request("GET", "/ab"))).isFalse();
	}

	@Test
	void urlMethodsAreCaseInsensitiveInTheConfig() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(null, false,
				List.of(new UrlMatcherSpec(List.of("get"), new StringMatcherSpec("/abc", null, null, false)))));

		assertThat(matcher.matches(request("GET", "/abc"))).isTrue();
	}

	@Test
	void urlRuleWithoutMethodsAcceptsAnyMethod() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(null, false,
				List.of(new UrlMatcherSpec(null, new StringMatcherSpec("/abc", null, null, false)))));

		assertThat(matcher.matches(request("POST", "/abc"))).isTrue();
	}

	@Test
	void exactUrlDoesNotMatchALongerPath() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(null, false,
				List.of(new UrlMatcherSpec(null, new StringMatcherSpec("/abc", null, null, false)))));

		assertThat(matcher.matches(request("GET", "/abc"))).isTrue();
		assertThat(matcher.matches(request("GET", "/abcd"))).isFalse();
	}

	@Test
	void regexIsSearchedNotAnchored() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(null, false,
				List.of(new UrlMatcherSpec(null, new StringMatcherSpec(null, null, "v[0-9]+", false)))));

		assertThat(matcher.matches(request("GET", "/api/v2/chat"))).isTrue();
		assertThat(matcher.matches(request("GET", "/api/chat"))).isFalse();
	}

	@Test
	void headersAndUrlsMustBothMatch() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(Map.of("X-A", exact("1")), false,
				List.of(new UrlMatcherSpec(null, new StringMatcherSpec(null, "/abc", null, false)))));

		assertThat(matcher.matches(request("GET", "/abc", "X-A", "1"))).isTrue();
		assertThat(matcher.matches(request("GET", "/abc"))).isFalse();
		assertThat(matcher.matches(request("GET", "/xyz", "X-A", "1"))).isFalse();
	}

	@Test
	void anyOfSeveralUrlRulesIsEnough() {
		RequestMatcher matcher = new RequestMatcher(new RequestMatcherSpec(null, false,
				List.of(new UrlMatcherSpec(null, new StringMatcherSpec("/a", null, null, false)),
						new UrlMatcherSpec(null, new StringMatcherSpec("/b", null, null, false)))));

		assertThat(matcher.matches(request("GET", "/a"))).isTrue();
		assertThat(matcher.matches(request("GET", "/b"))).isTrue();
		assertThat(matcher.matches(request("GET", "/c"))).isFalse();
	}

	@Test
	void setStringConditionsAreOred() {
		StringMatcher matcher = StringMatcher.of(new StringMatcherSpec("/x", "/api/", "^/v[0-9]$", false));

		assertThat(matcher.matches("/x")).isTrue();
		assertThat(matcher.matches("/api/chat")).isTrue();
		assertThat(matcher.matches("/v1")).isTrue();
		assertThat(matcher.matches("/y")).isFalse();
		assertThat(matcher.matches("")).isFalse();
	}

	private static StringMatcherSpec exact(String value) {
		return new StringMatcherSpec(value, null, null, false);
	}

	private static RequestInfo request(String method, String path, String... headerPairs) {
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < headerPairs.length; i += 2) {
			headers.add(headerPairs[i], headerPairs[i + 1]);
		}
		return RequestInfo.of(method, "gw.example.com", path, headers, "10.0.0.1");
	}
}
