package io.wsgate.config;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.proxy.WebSocketProxyKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigValidatorTests {

	private static final String FILTER = "wsgate.pipelines[0].filters[0]";

	private static final String POOL = FILTER + ".pools[0]";

	private static final String PATH = "wsgate.http-servers[0].rules[0].paths[0]";

	@Test
	void aValidFullConfigPasses() {
		assertThat(ConfigBindingTests.problems(catalog(), ConfigBindingTests.SEED)).isEmpty();
	}

	@Test
	void aPoolListWithoutMainPoolIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://b:1}]
				              filter: {headers: {X-Canary: {exact: "true"}}}
				"""));

		assertThat(problems).containsExactly(FILTER + ".pools: exactly one pool without 'filter' is required (found 0)");
	}

	@Test
	void dnsRefreshMustNotBeNegativeNorShorterThanASecond() {
		assertThat(problems(pipeline("""
				          pools:
				            - servers: [{url: ws://chat.svc:9000}]
				              dnsRefresh: -1s
				"""))).containsExactly(POOL + ".dnsRefresh: must not be negative (0 switches it off)");
		assertThat(problems(pipeline("""
				          pools:
				            - servers: [{url: ws://chat.svc:9000}]
				              dnsRefresh: 500ms
				"""))).containsExactly(POOL + ".dnsRefresh: 500ms is too short (at least 1s, or 0 for off)");
		assertThat(problems(pipeline("""
				          pools:
				            - servers: [{url: ws://chat.svc:9000}]
				              dnsRefresh: 0
				"""))).isEmpty();
		assertThat(problems(pipeline("""
				          pools:
				            - servers: [{url: ws://chat.svc:9000}]
				              dnsRefresh: 30s
				"""))).isEmpty();
	}

	@Test
	void twoMainPoolsAreRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}]
				            - servers: [{url: ws://b:1}]
				"""));

		assertThat(problems).containsExactly(FILTER + ".pools: exactly one pool without 'filter' is required (found 2)");
	}

	@Test
	void aWarmUpOfNoSessionsOrNoTimeIsRejected() {
		List<String> problems = problems("""
				wsgate:
				  warmup:
				    enabled: true
				    sessions: 0
				    concurrency: -1
				    maxDuration: 0s
				""");

		assertThat(problems).containsExactly("wsgate.warmup.sessions: must be at least 1",
				"wsgate.warmup.concurrency: must be at least 1", "wsgate.warmup.maxDuration: must be positive");
	}

	@Test
	void anUnknownFilterKindIsRejected() {
		List<String> problems = problems("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: Proxy
				          name: f
				""");

		assertThat(problems).containsExactly(FILTER + ".kind: unknown filter kind 'Proxy'");
	}

	@Test
	void anUnknownBackendPipelineIsRejected() {
		List<String> problems = problems(server("""
				            - path: /ws
				              backend: nope
				""") + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).containsExactly(PATH + ".backend: unknown pipeline 'nope'");
	}

	@Test
	void duplicateHttpServerNamesAreRejected() {
		List<String> problems = problems("""
				wsgate:
				  http-servers:
				    - {name: edge, port: 8080}
				    - {name: edge, port: 8081}
				""");

		assertThat(problems).containsExactly("wsgate.http-servers[1].name: duplicate http server name 'edge'");
	}

	@Test
	void duplicatePipelineNamesAreRejected() {
		List<String> problems = problems("""
				wsgate:
				  pipelines:
				    - name: p
				      filters: [{kind: WebSocketProxy, name: f, pools: [{servers: [{url: ws://a:1}]}]}]
				    - name: p
				      filters: [{kind: WebSocketProxy, name: f, pools: [{servers: [{url: ws://a:1}]}]}]
				""");

		assertThat(problems).containsExactly("wsgate.pipelines[1].name: duplicate pipeline name 'p'");
	}

	@Test
	void duplicateFilterNamesAreRejected() {
		List<String> problems = problems("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - {kind: WebSocketProxy, name: f, pools: [{servers: [{url: ws://a:1}]}]}
				        - {kind: WebSocketProxy, name: f, pools: [{servers: [{url: ws://a:1}]}]}
				""");

		assertThat(problems).containsExactly("wsgate.pipelines[0].filters[1].name: duplicate filter name 'f'");
	}

	@Test
	void aServerUrlWithAnotherSchemeIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: "tcp://127.0.0.1:1"}]
				"""));

		assertThat(problems).singleElement().asString()
			.startsWith(POOL + ".servers[0].url: 'tcp://127.0.0.1:1'")
			.contains("scheme 'tcp'");
	}

	@Test
	void aServerUrlWithoutHostIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: "ws:///path"}]
				"""));

		assertThat(problems).singleElement().asString().startsWith(POOL + ".servers[0].url: ");
	}

	@Test
	void aBadPathRegexpIsRejected() {
		List<String> problems = problems(server("""
				            - pathRegexp: "^/room/(["
				              backend: p
				""") + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).singleElement().asString()
			.startsWith(PATH + ".pathRegexp: invalid regular expression '^/room/(['");
	}

	@Test
	void aBadRouteHeaderRegexpIsRejected() {
		List<String> problems = problems(server("""
				            - path: /ws
				              headers: [{key: X-Team, regexp: "a{2"}]
				              backend: p
				""") + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).singleElement().asString()
			.startsWith(PATH + ".headers[0].regexp: invalid regular expression");
	}

	@Test
	void aBadCandidatePoolHeaderRegexIsRejected() {
		List<String> problems = problems(pipeline(MAIN_POOL + """
				            - servers: [{url: ws://c:1}]
				              filter:
				                headers: {X-Canary: {regex: "(unclosed"}}
				"""));

		assertThat(problems).singleElement().asString()
			.startsWith(FILTER + ".pools[1].filter.headers.X-Canary.regex: invalid regular expression '(unclosed'");
	}

	@Test
	void aBadCandidatePoolUrlRegexIsRejected() {
		List<String> problems = problems(pipeline(MAIN_POOL + """
				            - servers: [{url: ws://c:1}]
				              filter:
				                urls: [{url: {regex: "*beta"}}]
				"""));

		assertThat(problems).singleElement().asString()
			.startsWith(FILTER + ".pools[1].filter.urls[0].url.regex: invalid regular expression");
	}

	@Test
	void weightsOnOnlySomeServersAreRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers:
				                - {url: ws://a:1, weight: 5}
				                - {url: ws://b:1}
				"""));

		assertThat(problems).singleElement().asString()
			.startsWith(POOL + ".servers: weights are set on 1 of 2 servers");
	}

	@Test
	void serverTagsThatNoServerCarriesAreRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1, tags: [blue]}, {url: ws://b:1}]
				              serverTags: [green, red]
				"""));

		assertThat(problems).containsExactly(POOL + ".serverTags: no server of the pool carries one of [green, red]");
	}

	@Test
	void serverTagsThatSomeServerCarriesAreAccepted() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1, tags: [blue]}, {url: ws://b:1, tags: [green]}]
				              serverTags: [green]
				"""));

		assertThat(problems).isEmpty();
	}

	@Test
	void aTrustedProxyThatIsNoAddressOrRangeIsRejected() {
		List<String> problems = problems("""
				wsgate:
				  http-servers:
				    - name: edge
				      port: 8080
				      trustedProxies: [10.0.0.0/8, lb.example.com]
				""");

		assertThat(problems).containsExactly(
				"wsgate.http-servers[0].trustedProxies[1]: 'lb.example.com' is not an IP address or a CIDR range");
	}

	@Test
	void ipFilterEntriesThatAreNoAddressOrRangeAreRejectedAtEveryLevel() {
		List<String> problems = problems("""
				wsgate:
				  http-servers:
				    - name: edge
				      port: 8080
				      ipFilter: {allowIPs: [10.0.0.0/8, office]}
				      rules:
				        - ipFilter: {blockIPs: [10.0.0.0/40]}
				          paths:
				            - {path: /ws, backend: p, ipFilter: {blockIPs: ["::1", "nope"]}}
				""" + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).containsExactly(
				"wsgate.http-servers[0].ipFilter.allowIPs[1]: 'office' is not an IP address or a CIDR range",
				"wsgate.http-servers[0].rules[0].ipFilter.blockIPs[0]: '10.0.0.0/40': the prefix length must be 0..32",
				PATH + ".ipFilter.blockIPs[1]: 'nope' is not an IP address or a CIDR range");
	}

	@Test
	void aWeightOutOfRangeIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1, weight: 101}]
				"""));

		assertThat(problems).containsExactly(POOL + ".servers[0].weight: 101 (expected: 0..100)");
	}

	@Test
	void aFlowNamingAMissingFilterIsRejected() {
		List<String> problems = problems(pipelineWithFlow("""
				      flow:
				        - filter: nope
				"""));

		assertThat(problems).containsExactly("wsgate.pipelines[0].flow[0].filter: no filter named 'nope' in this pipeline");
	}

	@Test
	void aJumpIfTargetThatIsNotLaterInTheFlowIsRejected() {
		List<String> problems = problems(pipelineWithFlow("""
				      flow:
				        - filter: first
				        - filter: second
				          jumpIf: {clientError: first}
				"""));

		assertThat(problems).containsExactly("wsgate.pipelines[0].flow[1].jumpIf.clientError: "
				+ "target 'first' must be a later filter of the flow or END");
	}

	@Test
	void aJumpIfToALaterFilterOrEndIsAccepted() {
		List<String> problems = problems(pipelineWithFlow("""
				      flow:
				        - filter: first
				          jumpIf: {clientError: second, serverError: END}
				        - filter: second
				"""));

		assertThat(problems).isEmpty();
	}

	@Test
	void aJumpIfOnAResultTheKindDoesNotDeclareIsRejected() {
		List<String> problems = problems(pipelineWithFlow("""
				      flow:
				        - filter: first
				          jumpIf: {internalError: END}
				        - filter: second
				"""));

		assertThat(problems).singleElement().asString()
			.startsWith("wsgate.pipelines[0].flow[0].jumpIf.internalError: 'internalError' is not a result of WebSocketProxy")
			.contains("clientError", "serverError");
	}

	@Test
	void anUnknownLoadBalancePolicyIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}]
				              loadBalance: {policy: leastConn}
				"""));

		assertThat(problems).singleElement().asString()
			.startsWith(POOL + ".loadBalance.policy: unknown policy 'leastConn'");
	}

	@Test
	void headerHashWithoutHeaderHashKeyIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}]
				              loadBalance: {policy: headerHash}
				"""));

		assertThat(problems).containsExactly(POOL + ".loadBalance.headerHashKey: is required by the headerHash policy");
	}

	@Test
	void weightedRandomWithoutWeightsIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}, {url: ws://b:1}]
				              loadBalance: {policy: weightedRandom}
				"""));

		assertThat(problems).singleElement().asString().startsWith(POOL + ".servers: the weightedRandom policy");
	}

	@Test
	void aZeroMessageSizeIsRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}]
				              clientMaxMsgSize: 0
				              serverMaxMsgSize: -2
				"""));

		assertThat(problems).containsExactly(
				POOL + ".clientMaxMsgSize: 0 (expected: a positive number of bytes, or -1 for unlimited)",
				POOL + ".serverMaxMsgSize: -2 (expected: a positive number of bytes, or -1 for unlimited)");
	}

	@Test
	void minusOneMessageSizeMeansUnlimitedAndIsAccepted() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}]
				              clientMaxMsgSize: -1
				              serverMaxMsgSize: -1
				"""));

		assertThat(problems).isEmpty();
	}

	@Test
	void anUnknownStickySessionModeAndAMissingAppCookieAreRejected() {
		List<String> problems = problems(pipeline("""
				          pools:
				            - servers: [{url: ws://a:1}]
				              loadBalance: {stickySession: {mode: Forever}}
				            - servers: [{url: ws://b:1}]
				              loadBalance: {stickySession: {mode: CookieConsistentHash}}
				              filter: {headers: {X-A: {empty: true}}}
				"""));

		assertThat(problems).hasSize(2);
		assertThat(problems.get(0)).startsWith(POOL + ".loadBalance.stickySession.mode: 'Forever'");
		assertThat(problems.get(1))
			.startsWith(FILTER + ".pools[1].loadBalance.stickySession.appCookieName: is required");
	}

	@Test
	void aStringMatcherCombiningEmptyWithAPatternIsRejected() {
		List<String> problems = problems(pipeline(MAIN_POOL + """
				            - servers: [{url: ws://c:1}]
				              filter: {headers: {X-A: {empty: true, exact: x}}}
				"""));

		assertThat(problems).singleElement().asString().startsWith(FILTER + ".pools[1].filter.headers.X-A: ");
	}

	@Test
	void aRuleHostWithAWildcardInTheMiddleIsRejected() {
		List<String> problems = problems("""
				wsgate:
				  http-servers:
				    - name: s
				      port: 8080
				      rules:
				        - host: "a.*.com"
				          paths: [{path: /ws, backend: p}]
				""" + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).singleElement().asString().startsWith("wsgate.http-servers[0].rules[0].host: 'a.*.com'");
	}

	@Test
	void aPathWithTwoPathFormsIsRejected() {
		List<String> problems = problems(server("""
				            - {path: /ws, pathPrefix: /w, backend: p}
				""") + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).containsExactly(PATH + ": set only one of path, pathPrefix and pathRegexp");
	}

	@Test
	void anUnknownMethodIsRejected() {
		List<String> problems = problems(server("""
				            - {path: /ws, methods: [GET, FETCH], backend: p}
				""") + pipeline(MAIN_POOL).substring("wsgate:\n".length()));

		assertThat(problems).containsExactly(PATH + ".methods[1]: 'FETCH' is not an HTTP method");
	}

	@Test
	void twoHttpServersOnTheSamePortAreRejected() {
		List<String> problems = problems("""
				wsgate:
				  http-servers:
				    - {name: a, port: 8080}
				    - {name: b, port: 8080}
				    - {name: c, port: 0}
				    - {name: d, port: 0}
				""");

		assertThat(problems).containsExactly("wsgate.http-servers[1].port: port 8080 is used by another http server");
	}

	@Test
	void anEasegressKindLineOtherThanTheListsOwnIsRejected() {
		List<String> problems = problems("""
				wsgate:
				  http-servers:
				    - {name: s, kind: Pipeline, port: 8080}
				    - {name: t, kind: HTTPServer, port: 8081}
				  pipelines:
				    - {name: p, kind: HttpServer, filters: [{kind: WebSocketProxy, name: f, pools: [{servers: [{url: ws://a:1}]}]}]}
				""");

		assertThat(problems).containsExactly("wsgate.pipelines[0].kind: 'HttpServer' (expected: Pipeline, or no kind)",
				"wsgate.http-servers[0].kind: 'Pipeline' (expected: HTTPServer, or no kind)");
	}

	@Test
	void everyProblemIsReportedOnItsOwnLine() {
		InvalidConfigException ex = invalid("""
				wsgate:
				  http-servers:
				    - name: s
				      port: 8080
				      rules:
				        - paths: [{pathRegexp: "(", backend: nope}]
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: f
				          pools:
				            - servers: [{url: "tcp://a:1", weight: 1}, {url: ws://b:1}]
				              loadBalance: {policy: leastConn}
				              clientMaxMsgSize: 0
				        - kind: Nope
				          name: g
				""");

		assertThat(ex.problems()).hasSize(7);
		assertThat(ex.problems()).anyMatch(p -> p.startsWith(PATH + ".pathRegexp: "))
			.anyMatch(p -> p.startsWith(PATH + ".backend: unknown pipeline 'nope'"))
			.anyMatch(p -> p.startsWith(POOL + ".servers[0].url: "))
			.anyMatch(p -> p.startsWith(POOL + ".servers: weights are set on 1 of 2"))
			.anyMatch(p -> p.startsWith(POOL + ".loadBalance.policy: "))
			.anyMatch(p -> p.startsWith(POOL + ".clientMaxMsgSize: "))
			.anyMatch(p -> p.startsWith("wsgate.pipelines[0].filters[1].kind: unknown filter kind 'Nope'"));
		assertThat(ex.getMessage().lines().skip(1).map(String::trim).toList())
			.containsExactlyElementsOf(ex.problems());
	}

	@Test
	void problemsCollectorThrowsOnlyWhenThereIsAProblem() {
		ConfigProblems problems = new ConfigProblems();
		assertThatCode(problems::throwIfAny).doesNotThrowAnyException();

		problems.add("wsgate.x", "is wrong");

		assertThat(catchThrowableOfType(InvalidConfigException.class, problems::throwIfAny).problems())
			.containsExactly("wsgate.x: is wrong");
	}

	private static final String MAIN_POOL = """
			          pools:
			            - servers: [{url: ws://a:1}]
			""";

	/** A pipeline "p" with one WebSocketProxy filter whose {@code pools:} block is given. */
	private static String pipeline(String pools) {
		return """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: wsproxy
				""" + pools;
	}

	/** A pipeline "p" with two WebSocketProxy filters, first and second, and the given flow block. */
	private static String pipelineWithFlow(String flow) {
		return """
				wsgate:
				  pipelines:
				    - name: p
				""" + flow + """
				      filters:
				        - {kind: WebSocketProxy, name: first, pools: [{servers: [{url: ws://a:1}]}]}
				        - {kind: WebSocketProxy, name: second, pools: [{servers: [{url: ws://b:1}]}]}
				""";
	}

	/** An http server "s" with one rule whose {@code paths:} entries are given. */
	private static String server(String paths) {
		return """
				wsgate:
				  http-servers:
				    - name: s
				      port: 8080
				      rules:
				        - paths:
				""" + paths;
	}

	static FilterRegistry catalog() {
		return catalog(new org.springframework.boot.ssl.DefaultSslBundleRegistry());
	}

	/** The built-in kinds, with these bundles for a pool's serverTls. */
	static FilterRegistry catalog(org.springframework.boot.ssl.SslBundles sslBundles) {
		return new FilterRegistry(List.of(new WebSocketProxyKind(
				new BackendDialer(new GatewayMetrics(new SimpleMeterRegistry()), reactor.netty.http.HttpResources.get()), new PoolRegistry(),
				new GatewayMetrics(new SimpleMeterRegistry()), summary -> {
				}, new SessionRegistry(WsgateProperties.LimitsSpec.defaults()), java.time.Duration.ofSeconds(5), sslBundles,
				io.wsgate.tracing.HandshakeTracing.OFF)));
	}

	private static List<String> problems(String yaml) {
		return ConfigBindingTests.problems(catalog(), yaml);
	}

	private static InvalidConfigException invalid(String yaml) {
		WsgateProperties properties = ConfigBindingTests.bind(yaml);
		return catchThrowableOfType(InvalidConfigException.class,
				() -> new ConfigValidator(catalog()).validate(properties, TestSpecs.sources(yaml)));
	}
}
