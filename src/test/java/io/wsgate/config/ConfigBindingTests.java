package io.wsgate.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.proxy.WebSocketProxySpec;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigBindingTests {

	/** The seed's Easegress spec bodies pasted under wsgate, with every option spelt as in the seed. */
	static final String SEED = """
			wsgate:
			  http-servers:
			    - name: demo-server
			      kind: HTTPServer
			      port: 8080
			      address: 127.0.0.1
			      rules:
			        - host: "*.example.com"
			          paths:
			            - path: /ws
			              clientMaxBodySize: -1
			              backend: websocket-pipeline
			            - pathPrefix: /chat/
			              methods: [GET]
			              headers: [{key: X-Tenant, values: [a, b]}, {key: X-Team, regexp: "^t-"}]
			              backend: websocket-pipeline
			            - pathRegexp: ^/room/[0-9]+$
			              backend: websocket-pipeline
			  pipelines:
			    - name: websocket-pipeline
			      kind: Pipeline
			      flow:
			        - filter: wsproxy
			          jumpIf: {clientError: END}
			      filters:
			        - kind: WebSocketProxy
			          name: wsproxy
			          defaultOrigin: http://127.0.0.1/hello
			          pools:
			            - servers:
			                - url: ws://127.0.0.1:12345
			                  keepHost: true
			                  weight: 1
			                  tags: [blue]
			                - url: ws://127.0.0.1:9095
			                  weight: 2
			              loadBalance:
			                policy: headerHash
			                headerHashKey: X-User-Id
			                stickySession:
			                  mode: CookieConsistentHash
			                  appCookieName: user
			                  lbCookieName: LB
			                  lbCookieExpire: 30m
			              clientMaxMsgSize: 1024
			              serverMaxMsgSize: -1
			              originPatterns: ["*.example.com"]
			              insecureSkipVerify: true
			              connectTimeout: 2s
			            - servers:
			                - url: ws://127.0.0.1:9096
			              filter:
			                headers: {X-Canary: {exact: "true"}, X-Beta: {empty: true}}
			                matchAllHeaders: true
			                urls: [{methods: [GET], url: {prefix: /beta}}]
			""";

	@Test
	void httpServersBindFromTheKebabCaseKey() {
		WsgateProperties properties = bind(SEED);

		assertThat(properties.httpServers()).hasSize(1);
		HttpServerSpec server = properties.httpServers().get(0);
		assertThat(server.name()).isEqualTo("demo-server");
		assertThat(server.kind()).isEqualTo("HTTPServer");
		assertThat(server.port()).isEqualTo(8080);
		assertThat(server.address()).isEqualTo("127.0.0.1");
		assertThat(server.rules().get(0).host()).isEqualTo("*.example.com");
	}

	@Test
	void seedPathKeysBindVerbatim() {
		List<PathSpec> paths = bind(SEED).httpServers().get(0).rules().get(0).paths();

		assertThat(paths).extracting(PathSpec::path).containsExactly("/ws", "", "");
		assertThat(paths).extracting(PathSpec::pathPrefix).containsExactly("", "/chat/", "");
		assertThat(paths).extracting(PathSpec::pathRegexp).containsExactly("", "", "^/room/[0-9]+$");
		assertThat(paths.get(0).clientMaxBodySize()).isEqualTo(-1L);
		assertThat(paths).extracting(PathSpec::backend).containsOnly("websocket-pipeline");
		assertThat(paths.get(1).methods()).containsExactly("GET");
		assertThat(paths.get(1).headers()).hasSize(2);
		assertThat(paths.get(1).headers().get(0).key()).isEqualTo("X-Tenant");
		assertThat(paths.get(1).headers().get(0).values()).containsExactly("a", "b");
		assertThat(paths.get(1).headers().get(1).regexp()).isEqualTo("^t-");
	}

	@Test
	void seedPipelineKeysBindVerbatim() {
		PipelineSpec pipeline = bind(SEED).pipelines().get(0);

		assertThat(pipeline.name()).isEqualTo("websocket-pipeline");
		assertThat(pipeline.kind()).isEqualTo("Pipeline");
		assertThat(pipeline.flow()).hasSize(1);
		assertThat(pipeline.flow().get(0).filter()).isEqualTo("wsproxy");
		assertThat(pipeline.flow().get(0).jumpIf()).containsExactly(Map.entry("clientError", "END"));
		FilterSpec filter = pipeline.filters().get(0);
		assertThat(filter.kind()).isEqualTo("WebSocketProxy");
		assertThat(filter.name()).isEqualTo("wsproxy");
		assertThat(proxy(SEED).defaultOrigin()).isEqualTo("http://127.0.0.1/hello");
		assertThat(proxy(SEED).pools()).hasSize(2);
	}

	@Test
	void seedPoolKeysBindVerbatim() {
		PoolSpec pool = proxy(SEED).pools().get(0);

		assertThat(pool.isMain()).isTrue();
		assertThat(pool.servers()).hasSize(2);
		assertThat(pool.servers().get(0).url()).isEqualTo("ws://127.0.0.1:12345");
		assertThat(pool.servers().get(0).keepHost()).isTrue();
		assertThat(pool.servers().get(0).weight()).isEqualTo(1);
		assertThat(pool.servers().get(0).tags()).containsExactly("blue");
		assertThat(pool.servers().get(1).keepHost()).isFalse();
		assertThat(pool.servers().get(1).weight()).isEqualTo(2);
		assertThat(pool.loadBalance().policy()).isEqualTo("headerHash");
		assertThat(pool.loadBalance().headerHashKey()).isEqualTo("X-User-Id");
		assertThat(pool.loadBalance().stickySession().mode()).isEqualTo("CookieConsistentHash");
		assertThat(pool.loadBalance().stickySession().appCookieName()).isEqualTo("user");
		assertThat(pool.loadBalance().stickySession().lbCookieName()).isEqualTo("LB");
		assertThat(pool.loadBalance().stickySession().lbCookieExpire()).isEqualTo(Duration.ofMinutes(30));
		assertThat(pool.clientMaxMsgSize()).isEqualTo(1024L);
		assertThat(pool.serverMaxMsgSize()).isEqualTo(-1L);
		assertThat(pool.originPatterns()).containsExactly("*.example.com");
		assertThat(pool.insecureSkipVerify()).isTrue();
		assertThat(pool.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void candidatePoolFilterKeysBindVerbatim() {
		PoolSpec candidate = proxy(SEED).pools().get(1);

		assertThat(candidate.isMain()).isFalse();
		assertThat(candidate.filter().matchAllHeaders()).isTrue();
		assertThat(candidate.filter().headers()).containsOnlyKeys("X-Canary", "X-Beta");
		assertThat(candidate.filter().headers().get("X-Canary")).isEqualTo(TestSpecs.spec(StringMatcherSpec.class, "exact", "true"));
		assertThat(candidate.filter().headers().get("X-Beta").empty()).isTrue();
		assertThat(candidate.filter().urls()).hasSize(1);
		assertThat(candidate.filter().urls().get(0).methods()).containsExactly("GET");
		assertThat(candidate.filter().urls().get(0).url().prefix()).isEqualTo("/beta");
	}

	@Test
	void kebabCaseSpellingsBindToo() {
		WebSocketProxySpec filter = proxy("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: f
				          default-origin: http://o
				          pools:
				            - servers: [{url: ws://b:1, keep-host: true}]
				              client-max-msg-size: 10
				              server-max-msg-size: 20
				              load-balance: {policy: ipHash, header-hash-key: X-K}
				""");

		PoolSpec pool = filter.pools().get(0);
		assertThat(filter.defaultOrigin()).isEqualTo("http://o");
		assertThat(pool.servers().get(0).keepHost()).isTrue();
		assertThat(pool.clientMaxMsgSize()).isEqualTo(10L);
		assertThat(pool.serverMaxMsgSize()).isEqualTo(20L);
		assertThat(pool.loadBalance().policy()).isEqualTo("ipHash");
		assertThat(pool.loadBalance().headerHashKey()).isEqualTo("X-K");
	}

	@Test
	void unsetPoolOptionsTakeTheSeedDefaults() {
		String yaml = """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: f
				          pools:
				            - servers:
				                - url: ws://127.0.0.1:12345
				""";
		WsgateProperties properties = bind(yaml);

		PoolSpec pool = proxy(yaml).pools().get(0);
		assertThat(pool.clientMaxMsgSize()).isEqualTo(32769L);
		assertThat(pool.serverMaxMsgSize()).isEqualTo(32769L);
		assertThat(pool.loadBalance().policy()).isEqualTo("roundRobin");
		assertThat(pool.loadBalance().headerHashKey()).isEmpty();
		assertThat(pool.loadBalance().stickySession()).isNull();
		assertThat(pool.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(pool.insecureSkipVerify()).isFalse();
		assertThat(pool.originPatterns()).isEmpty();
		assertThat(pool.filter()).isNull();
		assertThat(pool.servers().get(0).keepHost()).isFalse();
		assertThat(pool.servers().get(0).weight()).isZero();
		assertThat(properties.pipelines().get(0).flow()).isEmpty();
		assertThat(proxy(yaml).defaultOrigin()).isEmpty();
		assertThat(proxy(yaml).compression()).as("unset: the kind reads it as passthrough").isEmpty();
	}

	@Test
	void aLoadBalanceWithoutPolicyIsRoundRobin() {
		WebSocketProxySpec proxy = proxy("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: f
				          pools:
				            - servers: [{url: ws://b:1}]
				              loadBalance: {headerHashKey: X-K}
				""");

		assertThat(proxy.pools().get(0).loadBalance().policy())
			.isEqualTo("roundRobin");
	}

	@Test
	void stickySessionDefaultsToEgSessionForTwoHours() {
		WebSocketProxySpec proxy = proxy("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: f
				          pools:
				            - servers: [{url: ws://b:1}]
				              loadBalance: {stickySession: {mode: DurationBased}}
				""");

		PoolSpec.StickySessionSpec sticky = proxy.pools().get(0)
			.loadBalance().stickySession();
		assertThat(sticky.lbCookieName()).isEqualTo("EG_SESSION");
		assertThat(sticky.lbCookieExpire()).isEqualTo(Duration.ofHours(2));
	}

	@Test
	void anEmptyConfigBindsToEmptyListsAndTheDemoDefaults() {
		WsgateProperties properties = bind("""
				wsgate:
				  demo:
				    enabled: false
				""");

		assertThat(properties.httpServers()).isEmpty();
		assertThat(properties.pipelines()).isEmpty();
		assertThat(properties.demo().enabled()).isFalse();
		assertThat(properties.demo().port()).isEqualTo(12345);
	}

	@Test
	void theRepositoryApplicationYmlBindsAndIsValid() throws IOException {
		String yaml = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("application.yml")), StandardCharsets.UTF_8);
		WsgateProperties properties = bind(yaml);

		assertThat(properties.httpServers()).extracting(HttpServerSpec::name).containsExactly("demo-server");
		assertThat(properties.pipelines()).extracting(PipelineSpec::name).containsExactly("websocket-pipeline");
		new ConfigValidator(ConfigValidatorTests.catalog()).validate(properties, TestSpecs.sources(yaml));
	}

	static WsgateProperties bind(String yaml) {
		return new Binder(TestSpecs.sources(yaml)).bind("wsgate", WsgateProperties.class).get();
	}

	/** The options of the first filter of the first pipeline, bound as WebSocketProxy options. */
	static WebSocketProxySpec proxy(String yaml) {
		return FilterOptions.bind(new Binder(TestSpecs.sources(yaml)), FilterSpec.path(0, 0), WebSocketProxySpec.class);
	}

	/** The problems the validator finds in the YAML, with the kinds of {@code catalog}; none: empty. */
	static List<String> problems(FilterKindCatalog catalog, String yaml) {
		try {
			new ConfigValidator(catalog).validate(bind(yaml), TestSpecs.sources(yaml));
			return List.of();
		}
		catch (InvalidConfigException ex) {
			return ex.problems();
		}
	}
}
