package io.wsgate.config;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wsgate.filter.ratelimit.RateLimiterKind;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.FilterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A RateLimiter's options are checked at startup, each problem on its key. */
class ConfigValidatorRateLimiterTests {

	private static final String FILTER = "wsgate.pipelines[0].filters[0]";

	/** The RateLimiter without a Redis client (none configured), and the proxy. */
	private static final FilterKindCatalog KINDS = new FilterRegistry(List.of(
			new RateLimiterKind(() -> null, new SimpleMeterRegistry()),
			(FilterKind<?>) ConfigValidatorTests.catalog().kind("WebSocketProxy")));

	private static List<String> problems(String limiterOptions) {
		return ConfigBindingTests.problems(KINDS, """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: RateLimiter
				          name: limiter
				%s
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://a:1"}]}]}
				""".formatted(limiterOptions.indent(10).stripTrailing()));
	}

	@Test
	void theContractsExampleIsValid() {
		assertThat(problems("""
				policies:
				  - {name: p, limitForPeriod: 50, limitRefreshPeriod: 1s, timeoutDuration: 0s}
				defaultPolicyRef: p
				urls:
				  - {methods: [GET], url: {prefix: /chat}, policyRef: p}
				key: clientIp
				messages: {perSecond: 20, burst: 40, action: pause}
				store: local
				redisFailure: allow
				""")).isEmpty();
	}

	@Test
	void policyReferencesMustNameAPolicy() {
		assertThat(problems("""
				policies: [{name: p}]
				defaultPolicyRef: q
				urls:
				  - {url: {prefix: /a}, policyRef: r}
				  - {url: {prefix: /b}}
				""")).containsExactly(FILTER + ".defaultPolicyRef: policy 'q' is not defined",
						FILTER + ".urls[0].policyRef: policy 'r' is not defined");
	}

	@Test
	void aUrlWithoutPolicyNeedsADefault() {
		assertThat(problems("""
				policies: [{name: p}]
				urls: [{url: {prefix: /a}}]
				""")).containsExactly(FILTER + ".urls[0].policyRef: is required when there is no defaultPolicyRef");
	}

	@Test
	void policiesAreCheckedOnTheirKeys() {
		assertThat(problems("""
				policies:
				  - {name: p, limitForPeriod: 0, limitRefreshPeriod: 0s, timeoutDuration: -1s}
				  - {name: p}
				defaultPolicyRef: p
				urls: [{url: {prefix: /}}]
				""")).containsExactly(FILTER + ".policies[0].limitForPeriod: 0 (expected: 1 or more)",
						FILTER + ".policies[0].limitRefreshPeriod: PT0S (expected: 1us or more)",
						FILTER + ".policies[0].timeoutDuration: must not be negative (0s: refuse at once)",
						FILTER + ".policies[1].name: 'p' names another policy too");
	}

	@Test
	void aUrlMatchesByExactlyOneOfExactPrefixOrRegex() {
		assertThat(problems("""
				policies: [{name: p}]
				defaultPolicyRef: p
				urls:
				  - {url: {prefix: /a, exact: /a}}
				  - {url: {regex: "(unclosed"}}
				""")).containsExactly(FILTER + ".urls[0].url: set exactly one of exact, prefix or regex",
						FILTER + ".urls[1].url.regex: invalid pattern: Unclosed group");
	}

	@Test
	void keyStoreAndRedisFailureTakeTheirValuesOnly() {
		assertThat(problems("""
				messages: {perSecond: 1}
				key: cookie:session
				store: memcached
				redisFailure: maybe
				""")).containsExactly(
						FILTER + ".key: 'cookie:session' (expected: clientIp, global, header:<Name> or claim:<name>)",
						FILTER + ".store: 'memcached' (expected: local or redis)",
						FILTER + ".redisFailure: 'maybe' (expected: allow or deny)");
	}

	@Test
	void redisStoreNeedsSpringBootsRedisClient() {
		assertThat(problems("""
				messages: {perSecond: 1}
				store: redis
				""")).containsExactly(FILTER + ".store: redis needs Spring Boot's Redis client (spring.data.redis.*), "
						+ "which is not configured");
	}

	@Test
	void messagesAreCheckedOnTheirKeys() {
		assertThat(problems("""
				messages: {perSecond: 0, burst: 0, action: drop}
				""")).containsExactly(FILTER + ".messages.perSecond: 0.0 (expected: more than 0)",
						FILTER + ".messages.burst: 0 (expected: 1 or more)",
						FILTER + ".messages.action: 'drop' (expected: pause or close)");
	}

	@Test
	void aLimiterThatLimitsNothingIsAProblem() {
		assertThat(problems("key: global")).containsExactly(FILTER + ": limits nothing: set urls (handshakes) or messages");
	}

	@Test
	void anUnknownOptionIsRejectedWithTheKind() {
		assertThat(problems("""
				messages: {perSecond: 1}
				redisFailures: deny
				""")).containsExactly(FILTER + ".redisFailures: not an option of RateLimiter");
	}
}
