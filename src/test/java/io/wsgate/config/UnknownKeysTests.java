package io.wsgate.config;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class UnknownKeysTests {

	@Test
	void documentedKeysAreKnownInAnySpelling() {
		List.of("wsgate.http-servers[0].rules[0].paths[1].pathPrefix", "wsgate.httpServers[0].port",
				"wsgate.pipelines[0].flow[0].jumpIf.clientError", "wsgate.pipelines[0].filters[0].defaultOrigin",
				"wsgate.pipelines[0].filters[0].pools[0].client-max-msg-size",
				"wsgate.pipelines[0].filters[0].pools[0].filter.headers.X-Canary.exact",
				"wsgate.pipelines[0].filters[0].pools[0].loadBalance.stickySession.appCookieName",
				"wsgate.pipelines[0].filters[0].pools[0].servers[2].tags[0]", "wsgate.demo.enabled",
				"wsgate.http-servers[0].kind", "wsgate.pipelines[0].kind")
			.forEach(key -> assertThat(UnknownKeys.firstUnknown(ConfigurationPropertyName.of(toCanonical(key)),
					filter -> "WebSocketProxy", ConfigValidatorTests.catalog())).as(key).isNull());
	}

	@Test
	void misspeltAndMisplacedKeysAreReportedWithTheirPath() {
		ConfigurationPropertySource source = new MapConfigurationPropertySource(Map.of(
				"wsgate.pipelines[0].filters[0].pools[0].clientMaxMsgSise", "1",
				"wsgate.pipelines[0].filters[0].pools[0].servers[0].url.port", "1",
				"wsgate.http-servers[0].timeout", "1",
				"wsgate.pipelines[0].name", "fine",
				"wsgate.pipelines[0].filters[0].kind", "WebSocketProxy"));
		ConfigProblems problems = new ConfigProblems();
		UnknownKeys.check(List.of(source), ConfigValidatorTests.catalog(), problems);
		assertThat(problems.list()).hasSize(3)
			.anySatisfy(p -> assertThat(p).startsWith("wsgate.pipelines[0].filters[0].pools[0].clientMaxMsgSise: unknown key"))
			.anySatisfy(p -> assertThat(p).startsWith("wsgate.pipelines[0].filters[0].pools[0].servers[0].url.port: unknown key"))
			.anySatisfy(p -> assertThat(p).startsWith("wsgate.http-servers[0].timeout: unknown key"));
	}

	private static String toCanonical(String key) {
		return ConfigurationPropertyName.adapt(key, '.').toString();
	}
}
