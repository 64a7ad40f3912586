package io.wsgate.config;

import java.util.List;

import io.wsgate.filter.adaptor.RequestAdaptorKind;
import io.wsgate.filter.adaptor.RequestAdaptorSpec;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.FilterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;

import static org.assertj.core.api.Assertions.assertThat;

/** RequestAdaptor's options: Easegress's keys, bound and validated with their key paths. */
class ConfigValidatorRequestAdaptorTests {

	private static final String FILTER = "wsgate.pipelines[0].filters[0]";

	private static final FilterKindCatalog KINDS = new FilterRegistry(List.of(new RequestAdaptorKind(),
			(FilterKind<?>) ConfigValidatorTests.catalog().kind("WebSocketProxy")));

	@Test
	void theContractsExampleBindsAndIsValid() {
		String yaml = adaptor("""
				          host: chat.internal
				          path: {trimPrefix: /chat, addPrefix: /v2}
				          header: {del: [Cookie], set: {X-Env: prod, X-Second: two}, add: {X-Via: wsgate}}
				""");
		assertThat(problems(yaml)).isEmpty();

		RequestAdaptorSpec spec = FilterOptions.bind(new Binder(TestSpecs.sources(yaml)), FilterSpec.path(0, 0),
				RequestAdaptorSpec.class);
		assertThat(spec.host()).isEqualTo("chat.internal");
		assertThat(spec.path().trimPrefix()).isEqualTo("/chat");
		assertThat(spec.path().addPrefix()).isEqualTo("/v2");
		assertThat(spec.header().del()).containsExactly("Cookie");
		assertThat(spec.header().set()).containsExactly(entry("X-Env", "prod"), entry("X-Second", "two"));
		assertThat(spec.header().add()).containsExactly(entry("X-Via", "wsgate"));
	}

	@Test
	void aHeaderNameWithADotIsWrittenInBrackets() {
		String yaml = adaptor("""
				          header: {set: {"[X.Tenant]": a}}
				""");
		assertThat(problems(yaml)).isEmpty();
		RequestAdaptorSpec spec = FilterOptions.bind(new Binder(TestSpecs.sources(yaml)), FilterSpec.path(0, 0),
				RequestAdaptorSpec.class);
		assertThat(spec.header().set()).containsExactly(entry("X.Tenant", "a"));
	}

	@Test
	void pathValuesMustBePathsStartingWithASlash() {
		assertThat(problems(adaptor("""
				          path: {replace: socket, addPrefix: "v2", trimPrefix: "/a b"}
				"""))).containsExactly(
				FILTER + ".path.replace: cannot be combined with trimPrefix, addPrefix (give replace, or regexpReplace, "
						+ "or trimPrefix and/or addPrefix)",
				FILTER + ".path.replace: 'socket' (expected: a path starting with /)",
				FILTER + ".path.addPrefix: 'v2' (expected: a path starting with /)",
				FILTER + ".path.trimPrefix: '/a b' has a character a path cannot carry as it is (a space, ?, # ...): percent-encode it");
		assertThat(problems(adaptor("""
				          path: {replace: "/x?y=1"}
				"""))).singleElement().asString().startsWith(FILTER + ".path.replace: '/x?y=1' has a character");
		assertThat(problems(adaptor("""
				          path: {addPrefix: "/a%zz"}
				"""))).containsExactly(FILTER + ".path.addPrefix: '/a%zz' has a % that is not followed by two hex digits");
	}

	@Test
	void anInvalidOrMissingRegexpIsAProblemOnItsKey() {
		assertThat(problems(adaptor("""
				          path: {regexpReplace: {regexp: "^/(unclosed", replace: /x}}
				"""))).singleElement().asString()
			.startsWith(FILTER + ".path.regexpReplace.regexp: invalid regular expression '^/(unclosed'");
		assertThat(problems(adaptor("""
				          path: {regexpReplace: {replace: /x}}
				"""))).containsExactly(FILTER + ".path.regexpReplace.regexp: is required");
	}

	@Test
	void aReplacementMayUseGroupReferencesButNoQueryOrSpace() {
		assertThat(problems(adaptor("""
				          path: {regexpReplace: {regexp: "^/u/(?<id>\\\\d+)$", replace: "/users/${id}/$1$$"}}
				"""))).isEmpty();
		assertThat(problems(adaptor("""
				          path: {regexpReplace: {regexp: "^/u/(\\\\d+)$", replace: "/users?id=$1"}}
				"""))).singleElement().asString().startsWith(FILTER + ".path.regexpReplace.replace: '/users?id=$1' has a character");
	}

	@Test
	void hostMustBeAHostWithAnOptionalPort() {
		assertThat(problems(adaptor("          host: \"chat.internal:8080\"\n"))).isEmpty();
		assertThat(problems(adaptor("          host: \"[::1]:9000\"\n"))).isEmpty();
		assertThat(problems(adaptor("          host: \"chat internal\"\n")))
			.containsExactly(FILTER + ".host: 'chat internal' (expected: a host name or address, with an optional :port)");
		assertThat(problems(adaptor("          host: \"chat/x\"\n"))).hasSize(1);
		assertThat(problems(adaptor("          host: \"chat:99999\"\n"))).hasSize(1);
	}

	@Test
	void hopByHopAndHandshakeHeadersCannotBeChanged() {
		assertThat(problems(adaptor("""
				          header:
				            del: [Connection]
				            set: {Host: other, Sec-WebSocket-Protocol: chat}
				            add: {Upgrade: h2c, Transfer-Encoding: chunked}
				"""))).containsExactly(
				FILTER + ".header.del[0]: Connection is a hop-by-hop or handshake header, which the gateway writes itself",
				FILTER + ".header.set.Host: Host cannot be changed through header: use the filter's 'host' key",
				FILTER + ".header.set.Sec-WebSocket-Protocol: Sec-WebSocket-Protocol is a hop-by-hop or handshake header, which the gateway writes itself",
				FILTER + ".header.add.Upgrade: Upgrade is a hop-by-hop or handshake header, which the gateway writes itself",
				FILTER + ".header.add.Transfer-Encoding: Transfer-Encoding is a hop-by-hop or handshake header, which the gateway writes itself");
	}

	@Test
	void illegalHeaderNamesAreProblems() {
		assertThat(problems(adaptor("""
				          header: {del: ["X Bad"], set: {"[X(y)]": v}}
				"""))).containsExactly(
				FILTER + ".header.del[0]: 'X Bad' is not a valid header name (character 2)",
				FILTER + ".header.set.X(y): 'X(y)' is not a valid header name (character 2)");
	}

	@Test
	void aBadHeaderValueIsReportedWithoutQuotingIt() {
		List<String> problems = problems(adaptor("""
				          header: {set: {Authorization: "Bearer s3cr3t-backend-token\\r\\nX-Injected: 1"}}
				"""));

		assertThat(problems).containsExactly(
				FILTER + ".header.set.Authorization: the value has a character not allowed in a header (position 28)");
		assertThat(String.join("\n", problems)).doesNotContain("s3cr3t");
	}

	@Test
	void replaceAndRegexpReplaceStandAlone() {
		assertThat(problems(adaptor("""
				          path: {regexpReplace: {regexp: "^/a", replace: /b}, addPrefix: /v2}
				"""))).containsExactly(FILTER + ".path.regexpReplace: cannot be combined with addPrefix (give replace, "
						+ "or regexpReplace, or trimPrefix and/or addPrefix)");
		assertThat(problems(adaptor("""
				          path: {trimPrefix: /chat, addPrefix: /v2}
				"""))).isEmpty();
	}

	@Test
	void unknownKeysAreReportedAgainstTheAdaptorsRecords() {
		assertThat(problems(adaptor("""
				          path: {trimPrefx: /chat}
				          header: {remove: [Cookie]}
				          pools: []
				"""))).contains(FILTER + ".path.trimPrefx: unknown key (check its spelling against the documented keys)",
				FILTER + ".header.remove: unknown key (check its spelling against the documented keys)",
				FILTER + ".pools: not an option of RequestAdaptor");
	}

	private static java.util.Map.Entry<String, String> entry(String key, String value) {
		return java.util.Map.entry(key, value);
	}

	private static List<String> problems(String yaml) {
		return ConfigBindingTests.problems(KINDS, yaml);
	}

	/** A pipeline of a RequestAdaptor with these options (indented under the filter) and a proxy. */
	private static String adaptor(String options) {
		return """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: RequestAdaptor
				          name: adaptor
				""" + options + """
				        - {kind: WebSocketProxy, name: w, pools: [{servers: [{url: "ws://127.0.0.1:1"}]}]}
				""";
	}
}
