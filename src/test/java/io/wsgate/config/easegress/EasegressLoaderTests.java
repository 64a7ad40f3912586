package io.wsgate.config.easegress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wsgate.config.Defined;
import io.wsgate.config.FilterOptions;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.WsgateProperties;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.proxy.WebSocketProxyKind;
import io.wsgate.proxy.WebSocketProxySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading Easegress files: the seed's objects verbatim, folders, problems naming file, object and key. */
class EasegressLoaderTests {

	@TempDir
	Path dir;

	/** The built-in filter kinds. */
	static FilterRegistry catalog() {
		return new FilterRegistry(List.of(new WebSocketProxyKind(
				new BackendDialer(new GatewayMetrics(new SimpleMeterRegistry()), reactor.netty.http.HttpResources.get()),
				new PoolRegistry(), new GatewayMetrics(new SimpleMeterRegistry()), summary -> {
				}, new SessionRegistry(WsgateProperties.LimitsSpec.defaults()), Duration.ofSeconds(5),
				new org.springframework.boot.ssl.DefaultSslBundleRegistry(), io.wsgate.tracing.HandshakeTracing.OFF)));
	}

	private EasegressObjects load(String... locations) {
		return EasegressLoader.load(List.of(locations), catalog());
	}

	private Path write(String name, String yaml) throws IOException {
		Path file = dir.resolve(name);
		Files.createDirectories(file.getParent());
		return Files.writeString(file, yaml);
	}

	@Test
	void theSeedObjectsInOneMultiDocumentFileLoadVerbatim() throws IOException {
		Path file = write("seed.yaml", EasegressSeed.BOTH);
		EasegressObjects objects = load("file:" + file);
		assertThat(objects.problems()).isEmpty();
		assertThat(objects.files()).containsExactly(file.toString());
		assertSeedServer(objects.httpServers());
		assertSeedPipeline(objects.pipelines());
	}

	@Test
	void aFolderIsItsYamlFilesInNameOrderLeavingOutOtherAndHiddenFiles() throws IOException {
		write("b-server.yml", EasegressSeed.HTTP_SERVER);
		write("a-pipeline.yaml", EasegressSeed.PIPELINE);
		write("notes.txt", "kind: Nothing");
		write(".editor-swap.yaml", "kind: Nothing");
		Files.createDirectories(dir.resolve("..data"));
		write("..data/ignored.yaml", "kind: Nothing");
		EasegressObjects objects = load("file:" + dir + "/");
		assertThat(objects.problems()).isEmpty();
		assertThat(objects.files()).containsExactly(dir.resolve("a-pipeline.yaml").toString(),
				dir.resolve("b-server.yml").toString());
		assertSeedServer(objects.httpServers());
		assertSeedPipeline(objects.pipelines());
	}

	@Test
	void severalLocationsAddUp() throws IOException {
		Path pipeline = write("one/pipeline.yaml", EasegressSeed.PIPELINE);
		Path server = write("two/server.yaml", EasegressSeed.HTTP_SERVER);
		EasegressObjects objects = load("file:" + server, "file:" + pipeline.getParent());
		assertThat(objects.problems()).isEmpty();
		assertThat(objects.files()).containsExactly(server.toString(), pipeline.toString());
		assertThat(objects.httpServers()).hasSize(1);
		assertThat(objects.pipelines()).hasSize(1);
	}

	@Test
	void aMissingLocationIsAProblemNamingItsKeyAndLocation() {
		EasegressObjects objects = load("file:" + dir + "/missing.yaml");
		assertThat(objects.problems())
			.containsExactly("wsgate.easegress.files[0]: 'file:" + dir + "/missing.yaml' does not exist");
	}

	@Test
	void eachReadIsAfresh() throws IOException {
		Path file = write("seed.yaml", EasegressSeed.BOTH);
		assertThat(load("file:" + file).pipelines()).hasSize(1);
		write("seed.yaml", EasegressSeed.HTTP_SERVER);
		EasegressObjects again = load("file:" + file);
		assertThat(again.pipelines()).isEmpty();
		assertThat(again.httpServers()).hasSize(1);
	}

	@Test
	void otherKindsAndKindlessDocumentsAreProblemsNamingTheDocument() throws IOException {
		Path file = write("mixed.yaml", """
				name: f
				kind: FilterX
				---
				name: nokind
				---
				- a list
				---
				""" + EasegressSeed.PIPELINE);
		EasegressObjects objects = load("file:" + file);
		assertThat(objects.problems()).containsExactly(
				"easegress file " + file + ", document 1: kind 'FilterX' is not supported by wsgate (expected: HTTPServer or Pipeline)",
				"easegress file " + file + ", document 2: kind is required (HTTPServer or Pipeline)",
				"easegress file " + file + ", document 3: expected an object of kind HTTPServer or Pipeline");
		assertThat(objects.pipelines()).hasSize(1);
	}

	@Test
	void badYamlIsAProblemNamingTheFile() throws IOException {
		Path file = write("bad.yaml", "name: x\nkind: Pipeline\n  filters: [\n");
		assertThat(load("file:" + file).problems()).singleElement()
			.asString()
			.startsWith("easegress file " + file + ": not valid YAML: ");
	}

	@Test
	void aDuplicateKeyIsAProblem() throws IOException {
		Path file = write("dup.yaml", EasegressSeed.PIPELINE + "name: again\n");
		assertThat(load("file:" + file).problems()).singleElement().asString()
			.startsWith("easegress file " + file + ": not valid YAML: ").contains("duplicate key name");
	}

	@Test
	void pipelineKeysThatWsgateDoesNotHaveAreProblemsNamingFileObjectAndKey() throws IOException {
		Path file = write("p.yaml", """
				name: p
				kind: Pipeline
				version: easegress.megaease.com/v2
				resilience:
				- name: retry
				  kind: Retry
				data: {a: b}
				flow:
				- filter: wsproxy
				  alias: proxy
				  namespace: other
				filters:
				- kind: WebSocketProxy
				  name: wsproxy
				  mirrorPool: {}
				  pools:
				  - servers: [{url: ws://127.0.0.1:1, weightt: 1}]
				    timeout: 10ms
				""");
		String object = "easegress file " + file + ", Pipeline 'p': ";
		assertThat(load("file:" + file).problems()).containsExactly(
				object + "data: not supported by wsgate",
				object + "filters[0].mirrorPool: not supported by wsgate (not an option of WebSocketProxy)",
				object + "filters[0].pools[0].servers[0].weightt: not supported by wsgate",
				object + "filters[0].pools[0].timeout: not supported by wsgate",
				object + "flow[0].alias: not supported by wsgate",
				object + "flow[0].namespace: not supported by wsgate",
				object + "resilience: not supported by wsgate",
				object + "version: not supported by wsgate");
	}

	@Test
	void aValueOfTheWrongTypeIsAProblemNamingItsKey() throws IOException {
		Path file = write("s.yaml", EasegressSeed.HTTP_SERVER.replace("port: 8080", "port: eighty"));
		assertThat(load("file:" + file).problems()).singleElement().asString()
			.startsWith("easegress file " + file + ", HTTPServer 'demo-server': port: ");
	}

	@Test
	void filterOptionsBindThroughTheirObjectsBinderAtTheFilterPath() throws IOException {
		Path file = write("seed.yaml", EasegressSeed.PIPELINE);
		Defined<PipelineSpec> pipeline = load("file:" + file).pipelines().get(0);
		WebSocketProxySpec options = FilterOptions.bind(pipeline.binder(), pipeline.filterPath(0), WebSocketProxySpec.class);
		assertThat(options.defaultOrigin()).isEqualTo("http://127.0.0.1/hello");
		assertThat(options.pools().get(0).clientMaxMsgSize()).isEqualTo(32769);
		assertThat(options.pools().get(0).servers()).extracting(ServerSpec::url)
			.containsExactly("ws://127.0.0.1:12345", "ws://127.0.0.1:9095", "ws://127.0.0.1:9096", "ws://127.0.0.1:9097");
	}

	private static void assertSeedServer(List<Defined<HttpServerSpec>> servers) {
		assertThat(servers).singleElement().satisfies(defined -> {
			assertThat(defined.label()).endsWith(", HTTPServer 'demo-server'").startsWith("easegress file ");
			HttpServerSpec server = defined.spec();
			assertThat(server.name()).isEqualTo("demo-server");
			assertThat(server.port()).isEqualTo(8080);
			assertThat(server.tls()).isNull();
			PathSpec path = server.rules().get(0).paths().get(0);
			assertThat(path.path()).isEqualTo("/ws");
			assertThat(path.clientMaxBodySize()).isEqualTo(-1);
			assertThat(path.backend()).isEqualTo("websocket-pipeline");
		});
	}

	private static void assertSeedPipeline(List<Defined<PipelineSpec>> pipelines) {
		assertThat(pipelines).singleElement().satisfies(defined -> {
			assertThat(defined.label()).endsWith(", Pipeline 'websocket-pipeline'");
			PipelineSpec pipeline = defined.spec();
			assertThat(pipeline.name()).isEqualTo("websocket-pipeline");
			assertThat(pipeline.kind()).isEqualTo("Pipeline");
			assertThat(pipeline.flow()).singleElement().satisfies(node -> assertThat(node.filter()).isEqualTo("wsproxy"));
			assertThat(pipeline.filters()).singleElement().satisfies(filter -> {
				assertThat(filter.kind()).isEqualTo("WebSocketProxy");
				assertThat(filter.name()).isEqualTo("wsproxy");
			});
			WebSocketProxySpec options = FilterOptions.bind(defined.binder(), defined.filterPath(0), WebSocketProxySpec.class);
			assertThat(options.pools().get(0).servers().get(0).keepHost()).isTrue();
		});
	}
}
