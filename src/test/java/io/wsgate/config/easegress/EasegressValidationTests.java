package io.wsgate.config.easegress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.wsgate.config.TestSpecs;
import io.wsgate.config.ConfigValidator;
import io.wsgate.config.InvalidConfigException;
import io.wsgate.config.WsgateProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Easegress objects validated with wsgate.*'s by the same rules, their problems naming file, object and key. */
class EasegressValidationTests {

	@TempDir
	Path dir;

	/** The validator's problems for {@code yaml} (application config) and the Easegress files of its wsgate.easegress.files. */
	private static List<String> problems(String yaml) {
		List<ConfigurationPropertySource> sources = TestSpecs.sources(yaml);
		WsgateProperties properties = new Binder(sources).bindOrCreate("wsgate", WsgateProperties.class);
		EasegressObjects easegress = EasegressLoader.load(properties.easegress().files(), EasegressLoaderTests.catalog());
		try {
			new ConfigValidator(EasegressLoaderTests.catalog()).validate(properties, sources, new Binder(sources), easegress);
			return List.of();
		}
		catch (InvalidConfigException ex) {
			return ex.problems();
		}
	}

	private String files(String... names) {
		StringBuilder yaml = new StringBuilder("wsgate:\n  easegress:\n    files:\n");
		for (String name : names) {
			yaml.append("      - file:").append(dir.resolve(name)).append('\n');
		}
		return yaml.toString();
	}

	@Test
	void theSeedObjectsAreAValidConfiguration() throws IOException {
		Files.writeString(dir.resolve("seed.yaml"), EasegressSeed.BOTH);
		assertThat(problems(files("seed.yaml"))).isEmpty();
	}

	@Test
	void anEasegressServerMayRouteToAWsgatePipelineAndTheOtherWayRound() throws IOException {
		Files.writeString(dir.resolve("seed.yaml"), EasegressSeed.BOTH);
		assertThat(problems(files("seed.yaml") + """
				  http-servers:
				    - name: wsgate-server
				      port: 9000
				      rules: [{paths: [{path: /ws, backend: websocket-pipeline}]}]
				  pipelines:
				    - name: wsgate-pipeline
				      filters: [{kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:1"}]}]}]
				""")).isEmpty();
		Files.writeString(dir.resolve("seed.yaml"), EasegressSeed.BOTH.replace("backend: websocket-pipeline",
				"backend: wsgate-pipeline"));
		assertThat(problems(files("seed.yaml") + """
				  pipelines:
				    - name: wsgate-pipeline
				      filters: [{kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:1"}]}]}]
				""")).isEmpty();
	}

	@Test
	void problemsOfTheSameRulesNameTheFileTheObjectAndTheKey() throws IOException {
		Path file = Files.writeString(dir.resolve("chat.yaml"), EasegressSeed.BOTH
			.replace("backend: websocket-pipeline", "backend: nowhere")
			.replace("url: ws://127.0.0.1:9097", "url: tcp://127.0.0.1:9097")
			.replace("policy: roundRobin", "policy: roundRobin\n    filter: {headers: {X-Canary: {exact: 'true'}}}"));
		String server = "easegress file " + file + ", HTTPServer 'demo-server': ";
		String pipeline = "easegress file " + file + ", Pipeline 'websocket-pipeline': ";
		assertThat(problems(files("chat.yaml"))).contains(
				server + "rules[0].paths[0].backend: unknown pipeline 'nowhere'",
				pipeline + "filters[0].pools: exactly one pool without 'filter' is required (found 0)")
			.anySatisfy(problem -> assertThat(problem).startsWith(pipeline + "filters[0].pools[0].servers[3].url: "));
	}

	@Test
	void aNameUsedInWsgateAndInAFileIsAProblemOfTheSecond() throws IOException {
		Path file = Files.writeString(dir.resolve("seed.yaml"), EasegressSeed.BOTH);
		assertThat(problems(files("seed.yaml") + """
				  http-servers:
				    - name: demo-server
				      port: 9000
				      rules: [{paths: [{path: /ws, backend: websocket-pipeline}]}]
				  pipelines:
				    - name: websocket-pipeline
				      filters: [{kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:1"}]}]}]
				""")).containsExactly(
					"easegress file " + file + ", Pipeline 'websocket-pipeline': name: duplicate pipeline name 'websocket-pipeline'",
					"easegress file " + file + ", HTTPServer 'demo-server': name: duplicate http server name 'demo-server'");
	}

	@Test
	void aPortUsedTwiceAcrossFilesIsAProblem() throws IOException {
		Files.writeString(dir.resolve("a.yaml"), EasegressSeed.BOTH);
		Path second = Files.writeString(dir.resolve("b.yaml"), EasegressSeed.HTTP_SERVER.replace("demo-server", "other"));
		assertThat(problems(files("a.yaml", "b.yaml")))
			.containsExactly("easegress file " + second + ", HTTPServer 'other': port: port 8080 is used by another http server");
	}

	@Test
	void theLoadersProblemsStopTheConfigurationBesideTheOthers() throws IOException {
		Files.writeString(dir.resolve("seed.yaml"), EasegressSeed.BOTH.replace("port: 8080", "port: 8080\nglobalFilter: gf\nmaxConnections: -1"));
		assertThat(problems(files("seed.yaml", "missing.yaml") + "  limits: {maxSessions: -1}\n")).containsExactly(
				"easegress file " + dir.resolve("seed.yaml") + ", HTTPServer 'demo-server': globalFilter: not supported by wsgate",
				"wsgate.easegress.files[1]: 'file:" + dir.resolve("missing.yaml") + "' does not exist",
				"easegress file " + dir.resolve("seed.yaml") + ", HTTPServer 'demo-server': maxConnections: must not be negative "
						+ "(0 = unlimited)",
				"wsgate.limits.maxSessions: must not be negative (0 = unlimited)");
	}

	@Test
	void theEasegressKeyItselfIsCheckedForUnknownKeys() {
		assertThat(problems("wsgate:\n  easegress:\n    file: [x]\n"))
			.singleElement().asString().startsWith("wsgate.easegress.file: unknown key");
	}
}
