package io.wsgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
		return new HealthCheckSpec(null, null, null, null, null, null, ws);
	}

	private static HealthCheckSpec http(HttpCheckSpec http) {
		return new HealthCheckSpec(null, null, null, null, null, http, null);
	}

	@Test
	void defaultsAreTheSeeds() {
		HealthCheckSpec spec = ws(new WsCheckSpec(null, null, null, null));
		assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(60));
		assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(spec.fails()).isEqualTo(1);
		assertThat(spec.successesToRecover()).isEqualTo(1);
		assertThat(problems(spec)).isEmpty();
	}

	@Test
	void passesIsAnAliasOfPass() {
		assertThat(new HealthCheckSpec(null, null, null, null, 3, null, null).successesToRecover()).isEqualTo(3);
		assertThat(new HealthCheckSpec(null, null, null, 2, null, null, null).successesToRecover()).isEqualTo(2);
		assertThat(problems(new HealthCheckSpec(null, null, null, 2, 3, null, new WsCheckSpec(null, "/", null, null))))
			.containsExactly("hc.pass: pass and passes are the same setting: give one of them");
	}

	@Test
	void aCheckIsRequired() {
		assertThat(problems(new HealthCheckSpec(null, null, null, null, null, null, null))).singleElement()
			.asString().startsWith("hc: set http and/or ws");
	}

	@Test
	void badValuesAreReportedWithTheirKey() {
		MatchSpec badMatch = new MatchSpec(List.of(List.of(2, 1), List.of(200, 299, 300)),
				List.of(new HeaderMatchSpec("", "x", null), new HeaderMatchSpec("X", "(", "regexp"), new HeaderMatchSpec("Y", "", "glob")),
				new BodyMatchSpec("x", "startsWith"));
		HttpCheckSpec http = new HttpCheckSpec(-100, "::::::", "FETCH", Map.of(), null, "user", null, badMatch);
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
		HealthCheckValidator.validatePassive(new PassiveHealthCheckSpec(null, 0, Duration.ofSeconds(30), Duration.ofSeconds(10)),
				"p", problems);
		assertThat(problems.list()).containsExactlyInAnyOrder("p.maxBackoff: must not be shorter than backoff",
				"p.fails: 0 (expected: 1 or more)");
	}
}
