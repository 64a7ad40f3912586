package io.wsgate.pool;

import java.util.List;
import java.util.Map;

import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolSpec.LoadBalanceSpec;
import io.wsgate.config.PoolSpec.RequestMatcherSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.PoolSpec.StickySessionSpec;
import io.wsgate.config.PoolSpec.StringMatcherSpec;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static io.wsgate.config.TestSpecs.defaults;
import static io.wsgate.config.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

class ServerPoolTests {

	private static final String A = "ws://a:8080";

	private static final String B = "ws://b:8080";

	private static final String C = "ws://c:8080";

	@Test
	void serversToTryStartsWithThePickThenTheOtherServersInPoolOrder() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B, C);

		assertThat(urls(pool.serversToTry(request()))).containsExactly(A, B, C);
		assertThat(urls(pool.serversToTry(request()))).containsExactly(B, C, A);
		assertThat(urls(pool.serversToTry(request()))).containsExactly(C, A, B);
		assertThat(urls(pool.serversToTry(request()))).containsExactly(A, B, C);
	}

	@Test
	void anUnhealthyServerIsNeitherPickedNorTried() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B, C);
		Server b = pool.servers().get(1);

		pool.recordCheck(b, false, "down");

		assertThat(urls(pool.healthyServers())).containsExactly(A, C);
		assertThat(urls(pool.serversToTry(request()))).containsExactly(A, C);
		assertThat(urls(pool.serversToTry(request()))).containsExactly(C, A);
	}

	@Test
	void theAvailableListIsReplacedOnlyWhenAServerChangesState() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B, C);
		Server a = pool.servers().get(0);
		List<Server> initial = pool.healthyServers();

		pool.recordCheck(a, true, null);
		assertThat(pool.healthyServers()).as("already healthy").isSameAs(initial);
		pool.recordCheck(a, false, "down");
		List<Server> withoutA = pool.healthyServers();
		assertThat(withoutA).isNotSameAs(initial);
		pool.recordCheck(a, false, "still down");
		assertThat(pool.healthyServers()).as("already unhealthy").isSameAs(withoutA);
	}

	@Test
	void resultsForAServerNotInThePoolChangeNothing() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B);
		List<Server> before = pool.healthyServers();
		Server stranger = Server.of(server("ws://x:8080", List.of()));

		pool.recordCheck(stranger, false, "down");
		pool.recordDialFailure(stranger, "refused");
		assertThat(pool.healthyServers()).isSameAs(before);
	}

	@Test
	void aServerBackToHealthKeepsItsPlaceInPoolOrder() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B, C);
		Server a = pool.servers().get(0);

		pool.recordCheck(a, false, "down");
		pool.recordCheck(a, true, null);

		assertThat(urls(pool.healthyServers())).containsExactly(A, B, C);
	}

	@Test
	void aPassingCheckPutsAServerThatFailedInTrafficBackInTheListAtOnce() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B);
		Server a = pool.servers().get(0);
		pool.recordDialFailure(a, "refused");
		assertThat(urls(pool.healthyServers())).as("out for the 10s back-off").containsExactly(B);

		pool.recordCheck(a, true, null);

		assertThat(urls(pool.healthyServers())).containsExactly(A, B);
	}

	@Test
	void aSuccessfulDialPutsAServerThatWasTakenOutBackInTheListAtOnce() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B);
		Server a = pool.servers().get(0);
		pool.recordDialFailure(a, "refused");
		assertThat(urls(pool.healthyServers())).containsExactly(B);

		// A dial that began before the ejection (another session's) succeeds.
		pool.recordDialSuccess(a);

		assertThat(urls(pool.healthyServers())).containsExactly(A, B);
	}

	@Test
	void noServerToTryWhenAllAreUnhealthy() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B);
		pool.servers().forEach(s -> pool.recordCheck(s, false, "down"));

		assertThat(pool.healthyServers()).isEmpty();
		assertThat(pool.serversToTry(request())).isEmpty();
	}

	@Test
	void aSingleHealthyServerIsTheOnlyOneTried() {
		ServerPool pool = pool(loadBalance("roundRobin"), null, A, B);
		pool.recordCheck(pool.servers().get(0), false, "down");

		assertThat(urls(pool.serversToTry(request()))).containsExactly(B);
		assertThat(urls(pool.serversToTry(request()))).containsExactly(B);
	}

	@Test
	void stickySessionPickComesBeforeThePolicy() {
		ServerPool pool = pool(spec(LoadBalanceSpec.class, "policy", "roundRobin", "stickySession",
				spec(StickySessionSpec.class, "mode", "CookieConsistentHash", "appCookieName", "user")), null, A, B, C);
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.COOKIE, "user=alice");
		RequestInfo alice = RequestInfo.of("GET", "gw", "/ws", headers, "10.0.0.1");

		List<String> first = urls(pool.serversToTry(alice));
		for (int i = 0; i < 10; i++) {
			assertThat(urls(pool.serversToTry(alice))).isEqualTo(first);
		}
	}

	@Test
	void stickyCookieIsIssuedOnlyWithAnLbCookieMode() {
		ServerPool plain = pool(loadBalance("roundRobin"), null, A);
		ServerPool duration = pool(spec(LoadBalanceSpec.class, "policy", "roundRobin", "stickySession",
				spec(StickySessionSpec.class, "mode", "DurationBased")), null, A);

		assertThat(plain.stickyCookie(plain.servers().get(0), HttpHeaders::new)).isNull();
		assertThat(duration.stickyCookie(duration.servers().get(0), HttpHeaders::new)).startsWith("EG_SESSION=");
	}

	@Test
	void serverTagsKeepOnlyTheServersThatCarryOneOfThem() {
		PoolSpec spec = spec(PoolSpec.class, "servers", List.of(server(A, List.of("blue")), server(B, List.of("green")),
				server(C, List.of("canary", "blue")), server("ws://d:8080", List.of())), "serverTags", List.of("blue", "red"));
		ServerPool pool = new ServerPool("pipeline", "test", spec, null);

		assertThat(urls(pool.servers())).containsExactly(A, C);
		assertThat(urls(pool.healthyServers())).containsExactly(A, C);
		assertThat(pool.serverStates()).extracting(ServerState.Snapshot::tags)
			.containsExactly(List.of("blue"), List.of("canary", "blue"));
	}

	@Test
	void aSessionCountIsReleasedOnceAndOnlyForItsServer() {
		ServerPool pool = pool(loadBalance("leastSessions"), null, A, B);
		Server a = pool.servers().get(0);
		ServerPool.SessionCount first = pool.countSession(a);
		ServerPool.SessionCount second = pool.countSession(a);
		assertThat(pool.openSessions(a)).isEqualTo(2);
		assertThat(urls(pool.serversToTry(request()))).as("b has fewer sessions").startsWith(B);

		first.release();
		first.release();
		assertThat(pool.openSessions(a)).isEqualTo(1);
		second.release();
		assertThat(pool.openSessions(a)).isZero();
		assertThat(pool.openSessions(pool.servers().get(1))).isZero();
	}

	@Test
	void theMainPoolMatchesEveryRequest() {
		ServerPool pool = pool(defaults(LoadBalanceSpec.class), null, A);

		assertThat(pool.matches(request())).isTrue();
	}

	@Test
	void aCandidatePoolMatchesOnlyRequestsPassingItsFilter() {
		RequestMatcherSpec filter = new RequestMatcherSpec(
				Map.of("X-Canary", spec(StringMatcherSpec.class, "exact", "yes")), false, null);
		ServerPool pool = pool(defaults(LoadBalanceSpec.class), filter, A);
		HttpHeaders canary = new HttpHeaders();
		canary.set("x-canary", "yes");
		HttpHeaders other = new HttpHeaders();
		other.set("X-Canary", "no");

		assertThat(pool.matches(RequestInfo.of("GET", "gw", "/ws", canary, "10.0.0.1"))).isTrue();
		assertThat(pool.matches(RequestInfo.of("GET", "gw", "/ws", other, "10.0.0.1"))).isFalse();
		assertThat(pool.matches(request())).isFalse();
	}

	@Test
	void serverUrlsAreNormalisedToWebSocketUris() {
		ServerPool pool = pool(defaults(LoadBalanceSpec.class), null, "http://a", "https://b/path?q=1",
				"wss://c:9443");

		assertThat(pool.servers()).extracting(s -> s.uri().toString())
			.containsExactly("ws://a:80", "wss://b:443", "wss://c:9443");
		assertThat(pool.servers()).extracting(Server::hostPort).containsExactly("a:80", "b:443", "c:9443");
		assertThat(pool.servers()).extracting(Server::secure).containsExactly(false, true, true);
	}

	private static ServerPool pool(LoadBalanceSpec loadBalance, RequestMatcherSpec filter, String... urls) {
		List<ServerSpec> servers = java.util.Arrays.stream(urls).map(url -> server(url, List.of())).toList();
		return new ServerPool("pipeline", "test",
				spec(PoolSpec.class, "servers", servers, "loadBalance", loadBalance, "filter", filter), null);
	}

	private static LoadBalanceSpec loadBalance(String policy) {
		return spec(LoadBalanceSpec.class, "policy", policy);
	}

	private static ServerSpec server(String url, List<String> tags) {
		return spec(ServerSpec.class, "url", url, "tags", tags);
	}

	private static List<String> urls(List<Server> servers) {
		return servers.stream().map(Server::url).toList();
	}

	private static RequestInfo request() {
		return RequestInfo.of("GET", "gw.example.com", "/ws", new HttpHeaders(), "10.0.0.1");
	}
}
