package io.wsgate.routing;

import java.util.List;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.IpFilterSpec;
import io.wsgate.config.HttpServerSpec.HeaderRuleSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.HttpServerSpec.RuleSpec;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static io.wsgate.config.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

class RouterTests {

	@Test
	void exactHostRoutesOnlyThatHost() {
		Router router = router(rule("chat.example.com", prefix("/", "chat")));

		assertThat(route(router, "GET", "chat.example.com", "/ws").pipeline()).isEqualTo("chat");
		assertThat(route(router, "GET", "other.example.com", "/ws").status()).isEqualTo(404);
	}

	@Test
	void hostMatchingIgnoresThePortAndCase() {
		Router router = router(rule("Chat.Example.com", prefix("/", "chat")));

		assertThat(route(router, "GET", "CHAT.example.com:8080", "/ws").pipeline()).isEqualTo("chat");
	}

	@Test
	void leadingWildcardHostMatchesSubdomains() {
		Router router = router(rule("*.example.com", prefix("/", "sub")));

		assertThat(route(router, "GET", "chat.example.com", "/").pipeline()).isEqualTo("sub");
		assertThat(route(router, "GET", "a.b.example.com:443", "/").pipeline()).isEqualTo("sub");
		assertThat(route(router, "GET", "example.org", "/").status()).isEqualTo(404);
		assertThat(route(router, "GET", "evilexample.com", "/").status()).isEqualTo(404);
	}

	@Test
	void trailingWildcardHostMatchesAnyEnding() {
		Router router = router(rule("api.*", prefix("/", "api")));

		assertThat(route(router, "GET", "api.example.com", "/").pipeline()).isEqualTo("api");
		assertThat(route(router, "GET", "api.local:9000", "/").pipeline()).isEqualTo("api");
		assertThat(route(router, "GET", "www.api.example.com", "/").status()).isEqualTo(404);
	}

	@Test
	void emptyHostMatchesAnyHost() {
		Router router = router(rule("", prefix("/", "any")));

		assertThat(route(router, "GET", "whatever.test", "/").pipeline()).isEqualTo("any");
		assertThat(route(router, "GET", null, "/").pipeline()).isEqualTo("any");
	}

	@Test
	void firstMatchingRuleWinsInOrder() {
		Router router = router(rule("*.example.com", prefix("/", "wildcard")),
				rule("chat.example.com", prefix("/", "exact")));

		assertThat(route(router, "GET", "chat.example.com", "/").pipeline()).isEqualTo("wildcard");
	}

	@Test
	void firstMatchingPathWinsInOrder() {
		Router router = router(rule("", prefix("/api", "api"), exact("/api/ws", "ws")));

		assertThat(route(router, "GET", "gw", "/api/ws").pipeline()).isEqualTo("api");
	}

	@Test
	void exactPathMatchesOnlyThatPath() {
		Router router = router(rule("", exact("/ws", "ws")));

		assertThat(route(router, "GET", "gw", "/ws").pipeline()).isEqualTo("ws");
		assertThat(route(router, "GET", "gw", "/ws/").status()).isEqualTo(404);
		assertThat(route(router, "GET", "gw", "/wss").status()).isEqualTo(404);
	}

	@Test
	void pathPrefixMatchesEveryPathStartingWithIt() {
		Router router = router(rule("", prefix("/chat", "chat")));

		assertThat(route(router, "GET", "gw", "/chat").pipeline()).isEqualTo("chat");
		assertThat(route(router, "GET", "gw", "/chat/room/1").pipeline()).isEqualTo("chat");
		assertThat(route(router, "GET", "gw", "/cha").status()).isEqualTo(404);
	}

	@Test
	void pathRegexpIsSearchedNotAnchored() {
		Router router = router(rule("", regexp("v[0-9]+/ws", "versioned")));

		assertThat(route(router, "GET", "gw", "/api/v2/ws").pipeline()).isEqualTo("versioned");
		assertThat(route(router, "GET", "gw", "/api/v2/ws/extra").pipeline()).isEqualTo("versioned");
		assertThat(route(router, "GET", "gw", "/api/vx/ws").status()).isEqualTo(404);
	}

	@Test
	void anchoredPathRegexpMatchesOnlyTheWholePath() {
		Router router = router(rule("", regexp("^/ws$", "ws")));

		assertThat(route(router, "GET", "gw", "/ws").pipeline()).isEqualTo("ws");
		assertThat(route(router, "GET", "gw", "/ws/x").status()).isEqualTo(404);
	}

	@Test
	void aPathWithoutPathConditionMatchesEveryPath() {
		Router router = router(rule("", new PathSpec(null, null, null, null, null, null, "all", null)));

		assertThat(route(router, "GET", "gw", "/anything/at/all").pipeline()).isEqualTo("all");
	}

	@Test
	void aMethodNotAllowedByTheMatchingPathAnswers405() {
		Router router = router(rule("", new PathSpec(null, "/ws", null, List.of("GET"), null, null, "ws", null)));

		Route route = route(router, "POST", "gw", "/ws");

		assertThat(route.isRouted()).isFalse();
		assertThat(route.pipeline()).isNull();
		assertThat(route.status()).isEqualTo(405);
	}

	@Test
	void methodsInTheConfigAreCaseInsensitive() {
		Router router = router(rule("", new PathSpec(null, "/ws", null, List.of("get"), null, null, "ws", null)));

		assertThat(route(router, "GET", "gw", "/ws").pipeline()).isEqualTo("ws");
	}

	@Test
	void aMissingRequiredHeaderAnswers400() {
		Router router = router(rule("", new PathSpec(null, "/ws", null, null,
				List.of(new HeaderRuleSpec("X-Tenant", List.of("acme"), null)), null, "ws", null)));

		assertThat(route(router, "GET", "gw", "/ws").status()).isEqualTo(400);
		assertThat(route(router, "GET", "gw", "/ws", "X-Tenant", "other").status()).isEqualTo(400);
		assertThat(route(router, "GET", "gw", "/ws", "X-Tenant", "acme").pipeline()).isEqualTo("ws");
	}

	@Test
	void aHeaderRegexpIsSearched() {
		Router router = router(rule("", new PathSpec(null, "/ws", null, null,
				List.of(new HeaderRuleSpec("X-Tenant", null, "^team-[a-z]+")), null, "ws", null)));

		assertThat(route(router, "GET", "gw", "/ws", "x-tenant", "team-blue").pipeline()).isEqualTo("ws");
		assertThat(route(router, "GET", "gw", "/ws", "X-Tenant", "blue").status()).isEqualTo(400);
	}

	@Test
	void nothingMatchingAnswers404() {
		Router router = router(rule("chat.example.com", exact("/ws", "ws")));

		Route route = route(router, "GET", "chat.example.com", "/other");

		assertThat(route.isRouted()).isFalse();
		assertThat(route.status()).isEqualTo(404);
	}

	@Test
	void aRouterWithoutRulesAnswers404() {
		Router router = new Router(server(List.of(), null));

		assertThat(route(router, "GET", "gw", "/").status()).isEqualTo(404);
	}

	@Test
	void aLaterFullMatchWinsOverAnEarlierMethodMismatch() {
		Router router = router(
				rule("", new PathSpec(null, "/ws", null, List.of("POST"), null, null, "post-only", null)),
				rule("", new PathSpec(null, "/ws", null, List.of("GET"), null, null, "get", null)));

		assertThat(route(router, "GET", "gw", "/ws").pipeline()).isEqualTo("get");
		assertThat(route(router, "POST", "gw", "/ws").pipeline()).isEqualTo("post-only");
	}

	@Test
	void aRouteNamesThePathConditionThatMatched() {
		Router router = router(rule("", new PathSpec("/ws", null, null, null, null, null, "a", null),
				new PathSpec(null, "/chat/", null, null, null, null, "b", null),
				new PathSpec(null, null, "^/room/[0-9]+$", null, null, null, "c", null), new PathSpec(null, null, null, null, null, null, "d", null)));

		assertThat(route(router, "GET", "gw", "/ws").path()).isEqualTo("/ws");
		assertThat(route(router, "GET", "gw", "/chat/x").path()).isEqualTo("/chat/**");
		assertThat(route(router, "GET", "gw", "/room/7").path()).isEqualTo("~^/room/[0-9]+$");
		assertThat(route(router, "GET", "gw", "/other").path()).isEqualTo("**");
	}

	@Test
	void anIpFilterFollowsEasegressRules() {
		// allowIPs set: only those; an address in both lists gets the default (allow here).
		Router router = routerWith(ipFilter(List.of("10.0.0.0/8"), List.of("10.9.0.0/16", "192.0.2.9")));

		assertThat(routeFrom(router, "10.1.2.3").status()).isZero();
		assertThat(routeFrom(router, "10.9.1.1").status()).as("in both lists: the default").isZero();
		assertThat(routeFrom(router, "192.0.2.9").status()).isEqualTo(403);
		assertThat(routeFrom(router, "203.0.113.1").status()).as("not in allowIPs").isEqualTo(403);
		assertThat(routeFrom(router, "203.0.113.1").reason()).isEqualTo("the client address is not allowed here");
	}

	@Test
	void blockByDefaultBlocksWhatNeitherListAllowsAlone() {
		Router router = routerWith(spec(IpFilterSpec.class, "blockByDefault", true, "allowIPs", List.of("10.0.0.0/8"),
				"blockIPs", List.of("10.9.0.0/16")));

		assertThat(routeFrom(router, "10.1.2.3").status()).isZero();
		assertThat(routeFrom(router, "10.9.1.1").status()).as("in both lists: the default, block").isEqualTo(403);
		assertThat(routeFrom(router, "203.0.113.1").status()).isEqualTo(403);
	}

	@Test
	void aBlockListAloneBlocksOnlyItsAddresses() {
		Router router = routerWith(ipFilter(List.of(), List.of("198.51.100.0/24", "2001:db8::/32")));

		assertThat(routeFrom(router, "198.51.100.7").status()).isEqualTo(403);
		assertThat(routeFrom(router, "2001:db8::1").status()).isEqualTo(403);
		assertThat(routeFrom(router, "203.0.113.1").status()).isZero();
	}

	private static Router routerWith(IpFilterSpec serverFilter) {
		return new Router(server(List.of(rule("", exact("/ws", "p"))), serverFilter));
	}

	@Test
	void theServerRuleAndPathFiltersMustAllAllow() {
		IpFilterSpec onlyTen = ipFilter(List.of("10.0.0.0/8"), List.of());
		IpFilterSpec notTenOne = ipFilter(List.of(), List.of("10.1.0.0/16"));
		IpFilterSpec notTenTwo = ipFilter(List.of(), List.of("10.2.0.0/16"));
		Router router = new Router(server(List.of(new RuleSpec("", List.of(
				new PathSpec("/admin", null, null, null, null, null, "admin", notTenTwo),
				new PathSpec("/ws", null, null, null, null, null, "ws", null)), notTenOne)), onlyTen));

		assertThat(routeFrom(router, "10.3.0.1", "/admin").pipeline()).isEqualTo("admin");
		assertThat(routeFrom(router, "10.2.0.1", "/admin").status()).as("the path's filter").isEqualTo(403);
		assertThat(routeFrom(router, "10.2.0.1", "/ws").pipeline()).as("another path of the rule").isEqualTo("ws");
		assertThat(routeFrom(router, "10.1.0.1", "/ws").status()).as("the rule's filter").isEqualTo(403);
		assertThat(routeFrom(router, "11.0.0.1", "/nowhere").status()).as("the server's filter comes first").isEqualTo(403);
	}

	@Test
	void anIpFilterJudgesTheForwardedClientBehindATrustedProxy() {
		Router router = new Router(server(List.of(rule("", new PathSpec("/ws", null, null, null, null, null, "p",
				ipFilter(List.of(), List.of("203.0.113.5"))))), null));
		RequestInfo viaBalancer = new RequestInfo("GET", "gw", "/ws", new HttpHeaders(), "10.0.0.2", "203.0.113.5", true);

		assertThat(router.route(viaBalancer).status()).isEqualTo(403);
	}

	private static Route routeFrom(Router router, String clientIp) {
		return routeFrom(router, clientIp, "/ws");
	}

	private static Route routeFrom(Router router, String clientIp, String path) {
		return router.route(RequestInfo.of("GET", "gw", path, new HttpHeaders(), clientIp));
	}

	@Test
	void aMethodMismatchIsReportedBeforeAHeaderMismatch() {
		Router router = router(rule("",
				new PathSpec(null, "/ws", null, null, List.of(new HeaderRuleSpec("X-A", List.of("1"), null)), null, "a", null),
				new PathSpec(null, "/ws", null, List.of("POST"), null, null, "b", null)));

		assertThat(route(router, "GET", "gw", "/ws").status()).isEqualTo(405);
	}

	private static Router router(RuleSpec... rules) {
		return new Router(server(List.of(rules), null));
	}

	private static HttpServerSpec server(List<RuleSpec> rules, IpFilterSpec ipFilter) {
		return spec(HttpServerSpec.class, "name", "s", "port", 0, "rules", rules, "ipFilter", ipFilter);
	}

	private static IpFilterSpec ipFilter(List<String> allowIPs, List<String> blockIPs) {
		return spec(IpFilterSpec.class, "allowIPs", allowIPs, "blockIPs", blockIPs);
	}

	private static RuleSpec rule(String host, PathSpec... paths) {
		return new RuleSpec(host, List.of(paths), null);
	}

	private static PathSpec exact(String path, String backend) {
		return new PathSpec(path, null, null, null, null, null, backend, null);
	}

	private static PathSpec prefix(String prefix, String backend) {
		return new PathSpec(null, prefix, null, null, null, null, backend, null);
	}

	private static PathSpec regexp(String regexp, String backend) {
		return new PathSpec(null, null, regexp, null, null, null, backend, null);
	}

	private static Route route(Router router, String method, String host, String path, String... headerPairs) {
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < headerPairs.length; i += 2) {
			headers.add(headerPairs[i], headerPairs[i + 1]);
		}
		return router.route(RequestInfo.of(method, host, path, headers, "10.0.0.1"));
	}
}
