package io.wsgate.config;

import java.time.Duration;
import java.util.List;

import io.wsgate.config.HealthCheckSpec.BodyMatchSpec;
import io.wsgate.config.HealthCheckSpec.HeaderMatchSpec;
import io.wsgate.config.HealthCheckSpec.HttpCheckSpec;
import io.wsgate.config.HealthCheckSpec.MatchSpec;
import io.wsgate.config.HealthCheckSpec.WsCheckSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HealthCheckValidatorTests {

	private static List<String> problems(HealthCheckSpec spec) {
		ConfigProblems problems = new ConfigProblems();
		HealthCheckValidator.validate(spec, "hc", problems);
		return problems.list();
	}

	private static HealthCheckSpec ws(WsCheckSpec ws) {
		return TestSpecs.spec(HealthCheckSpec.class, "ws", ws);
	}

	private static HealthCheckSpec http(HttpCheckSpec http) {
		return TestSpecs.spec(HealthCheckSpec.class, "http", http);
	}

	@Test
	void defaultsAreTheSeeds() {
		HealthCheckSpec spec = ws(TestSpecs.defaults(WsCheckSpec.class));
		assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(60));
		assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(spec.fails()).isEqualTo(1);
		assertThat(spec.successesToRecover()).isEqualTo(1);
		assertThat(problems(spec)).isEmpty();
	}

	@Test
	void passesIsAnAliasOfPass() {
		assertThat(TestSpecs.spec(HealthCheckSpec.class, "passes", 3).successesToRecover()).isEqualTo(3);
		assertThat(TestSpecs.spec(HealthCheckSpec.class, "pass", 2).successesToRecover()).isEqualTo(2);
		assertThat(problems(TestSpecs.spec(HealthCheckSpec.class, "pass", 2, "passes", 3, "ws",
				TestSpecs.spec(WsCheckSpec.class, "uri", "/"))))
			.containsExactly("hc.pass: pass and passes are the same setting: give one of them");
	}

	@Test
	void aCheckIsRequired() {
		assertThat(problems(TestSpecs.defaults(HealthCheckSpec.class))).singleElement()
			.asString().startsWith("hc: set http and/or ws");
	}

	@Test
	void badValuesAreReportedWithTheirKey() {
		MatchSpec badMatch = new MatchSpec(List.of(List.of(2, 1), List.of(200, 299, 300)),
				List.of(new HeaderMatchSpec("", "x", null), new HeaderMatchSpec("X", "(", "regexp"), new HeaderMatchSpec("Y", "", "glob")),
				new BodyMatchSpec("x", "startsWith"));
		HttpCheckSpec http = TestSpecs.spec(HttpCheckSpec.class, "port", -100, "uri", "::::::", "method", "FETCH", "username",
				"user", "match", badMatch);
		assertThat(problems(http(http))).containsExactlyInAnyOrder(
				"hc.http.port: -100 (expected: 0..65535, 0 = the server's port)",
				"hc.http.uri: '::::::' is not a valid path",
				"hc.http.method: 'FETCH' is not an HTTP method",
				"hc.http: set both username and password, or neither",
				"hc.http.match.statusCodes[0]: [2, 1] (expected: [low, high] within 100..599)",
				"hc.http.match.statusCodes[1]: [200, 299, 300] (expected: [low, high] within 100..599)",
				"hc.http.match.headers[0].name: is required",
				"hc.http.match.headers[1].value: invalid regular expression '(': Unclosed group",
				"hc.http.match.headers[2].type: 'glob' (expected: exact or regexp)",
				"hc.http.match.body.type: 'startsWith' (expected: contains or regexp)");
	}

	@Test
	void passiveBackoffMustBeSensible() {
		ConfigProblems problems = new ConfigProblems();
		HealthCheckValidator.validatePassive(TestSpecs.spec(PassiveHealthCheckSpec.class, "fails", 0,
				"backoff", Duration.ofSeconds(30), "maxBackoff", Duration.ofSeconds(10)),
				"p", problems);
		assertThat(problems.list()).containsExactlyInAnyOrder("p.maxBackoff: must not be shorter than backoff",
				"p.fails: 0 (expected: 1 or more)");
	}
}
