package io.wsgate.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load balancing as a user sees it, through real sockets: which backend gets each session for
 * every policy, sticky-session mode and candidate-pool choice. Every pool has its own backends,
 * so a session landing in the wrong pool or pipeline is noticed too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadBalancingIntegrationTests {

	private static final String[] BACKEND_NAMES = { "rr.a", "rr.b", "rr.c", "random.a", "random.b", "weighted.light",
			"weighted.heavy", "iphash.a", "iphash.b", "headerhash.a", "headerhash.b", "cookiehash.a", "cookiehash.b",
			"appcookie.a", "appcookie.b", "lbcookie.a", "lbcookie.b", "canary.candidate", "canary.main",
			"allheaders.candidate", "allheaders.main", "anyheader.candidate", "anyheader.main", "url.post", "url.beta",
			"url.main" };

	/** Backends by name, in declaration order. */
	private final Map<String, TestBackend> backends = new LinkedHashMap<>();

	private final AtomicInteger messages = new AtomicInteger();

	private Gateway gateway;

	/** What one session showed: the backend that got it and the Set-Cookie headers of the 101. */
	private record Opened(String backend, List<String> setCookies) {
	}

	@BeforeAll
	void start() {
		Map<String, Object> ports = new HashMap<>();
		for (String name : BACKEND_NAMES) {
			TestBackend backend = new TestBackend();
			backends.put(name, backend);
			ports.put("backend." + name, backend.port());
		}
		gateway = GatewayYaml.edge()
			.pipeline("pathPrefix: /rr", "round-robin", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.rr.a}"
					        - url: "ws://127.0.0.1:${backend.rr.b}"
					        - url: "ws://127.0.0.1:${backend.rr.c}"
					      loadBalance: {policy: roundRobin}
					""")
			.pipeline("pathPrefix: /random", "random", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.random.a}"
					        - url: "ws://127.0.0.1:${backend.random.b}"
					      loadBalance: {policy: random}
					""")
			.pipeline("pathPrefix: /weighted", "weighted-random", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - {url: "ws://127.0.0.1:${backend.weighted.light}", weight: 1}
					        - {url: "ws://127.0.0.1:${backend.weighted.heavy}", weight: 9}
					      loadBalance: {policy: weightedRandom}
					""")
			.pipeline("pathPrefix: /iphash", "ip-hash", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.iphash.a}"
					        - url: "ws://127.0.0.1:${backend.iphash.b}"
					      loadBalance: {policy: ipHash}
					""")
			.pipeline("pathPrefix: /headerhash", "header-hash", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.headerhash.a}"
					        - url: "ws://127.0.0.1:${backend.headerhash.b}"
					      loadBalance: {policy: headerHash, headerHashKey: X-User-Id}
					""")
			.pipeline("pathPrefix: /cookiehash", "cookie-hash", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.cookiehash.a}"
					        - url: "ws://127.0.0.1:${backend.cookiehash.b}"
					      loadBalance: {policy: cookieHash}
					""")
			.pipeline("pathPrefix: /sticky-app-cookie", "sticky-consistent-hash", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.appcookie.a}"
					        - url: "ws://127.0.0.1:${backend.appcookie.b}"
					      loadBalance:
					        policy: roundRobin
					        stickySession: {mode: CookieConsistentHash, appCookieName: user}
					""")
			.pipeline("pathPrefix: /sticky-lb-cookie", "sticky-duration", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers:
					        - url: "ws://127.0.0.1:${backend.lbcookie.a}"
					        - url: "ws://127.0.0.1:${backend.lbcookie.b}"
					      loadBalance:
					        policy: roundRobin
					        stickySession: {mode: DurationBased}
					""")
			.pipeline("pathPrefix: /canary", "canary", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    # the candidate is declared before the main pool
					    - servers: [{url: "ws://127.0.0.1:${backend.canary.candidate}"}]
					      filter:
					        headers: {X-Canary: {exact: "true"}}
					    - servers: [{url: "ws://127.0.0.1:${backend.canary.main}"}]
					""")
			.pipeline("pathPrefix: /all-headers", "all-headers", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    # the main pool is declared before the candidate
					    - servers: [{url: "ws://127.0.0.1:${backend.allheaders.main}"}]
					    - servers: [{url: "ws://127.0.0.1:${backend.allheaders.candidate}"}]
					      filter:
					        matchAllHeaders: true
					        headers:
					          X-Canary: {exact: "true"}
					          X-Region: {exact: eu}
					""")
			.pipeline("pathPrefix: /any-header", "any-header", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${backend.anyheader.candidate}"}]
					      filter:
					        headers:
					          X-Canary: {exact: "true"}
					          X-Region: {exact: eu}
					    - servers: [{url: "ws://127.0.0.1:${backend.anyheader.main}"}]
					""")
			.pipeline("pathPrefix: /", "url-candidates", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${backend.url.post}"}]
					      filter:
					        urls: [{methods: [POST], url: {prefix: /gamma}}]
					    - servers: [{url: "ws://127.0.0.1:${backend.url.beta}"}]
					      filter:
					        urls: [{methods: [GET], url: {prefix: /beta}}]
					    - servers: [{url: "ws://127.0.0.1:${backend.url.main}"}]
					""")
			.start(ports);
	}

	@AfterAll
	void stop() {
		if (gateway != null) {
			gateway.close();
		}
		backends.values().forEach(TestBackend::close);
	}

	// ---- policies ----

	@Test
	void roundRobinCyclesThroughTheServersInOrder() {
		List<String> got = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			got.add(backendOf("/rr/chat", Map.of()));
		}
		assertThat(got).containsExactly("rr.a", "rr.b", "rr.c", "rr.a", "rr.b", "rr.c");
	}

	@Test
	void randomReachesEveryServer() {
		Map<String, Integer> counts = countSessions(40, i -> backendOf("/random", Map.of()));
		assertThat(counts).containsOnlyKeys("random.a", "random.b");
	}

	@Test
	void weightedRandomFavoursTheHeavierServer() {
		Map<String, Integer> counts = countSessions(100, i -> backendOf("/weighted", Map.of()));
		assertThat(counts.keySet()).isSubsetOf("weighted.light", "weighted.heavy");
		// Expected 90 of 100 (standard deviation 3): more than 70 practically always, and a
		// uniform pick (50) or an inverted weighting (10) fails.
		assertThat(counts.getOrDefault("weighted.heavy", 0)).as("sessions of the weight-9 server in %s", counts)
			.isGreaterThan(70);
	}

	@Test
	void ipHashKeepsOneClientIpOnOneServer() {
		Set<String> got = new LinkedHashSet<>();
		for (int i = 0; i < 10; i++) {
			got.add(backendOf("/iphash", Map.of("X-Real-Ip", "203.0.113.7")));
		}
		assertThat(got).hasSize(1);
		assertThat(got.iterator().next()).startsWith("iphash.");
	}

	@Test
	void ipHashSpreadsDifferentClientIpsOverTheServers() {
		Map<String, Integer> counts = countSessions(20,
				i -> backendOf("/iphash", Map.of("X-Real-Ip", "198.51.100." + (10 + i))));
		assertThat(counts).containsOnlyKeys("iphash.a", "iphash.b");
	}

	@Test
	void ipHashUsesTheFirstPublicAddressOfXForwardedFor() {
		String viaRealIp = backendOf("/iphash", Map.of("X-Real-Ip", "203.0.113.7"));
		for (int i = 0; i < 5; i++) {
			// Private hops are skipped; the same public address lands on the same server.
			assertThat(backendOf("/iphash", Map.of("X-Forwarded-For", "10.0.0." + i + ", 203.0.113.7, 192.168.1.1")))
				.isEqualTo(viaRealIp);
		}
	}

	@Test
	void headerHashKeepsOneHeaderValueOnOneServer() {
		for (String user : List.of("alice", "bob", "carol")) {
			Set<String> got = new LinkedHashSet<>();
			for (int i = 0; i < 5; i++) {
				got.add(backendOf("/headerhash", Map.of("X-User-Id", user)));
			}
			assertThat(got).as("servers of X-User-Id %s", user).hasSize(1);
		}
	}

	@Test
	void headerHashSpreadsDifferentHeaderValuesOverTheServers() {
		Map<String, Integer> counts = countSessions(20, i -> backendOf("/headerhash", Map.of("X-User-Id", "user-" + i)));
		assertThat(counts).containsOnlyKeys("headerhash.a", "headerhash.b");
	}

	@Test
	void cookieHashKeepsOneCookieHeaderOnOneServer() {
		Set<String> got = new LinkedHashSet<>();
		for (int i = 0; i < 10; i++) {
			got.add(backendOf("/cookiehash", Map.of("Cookie", "sid=4f2a9c; theme=dark")));
		}
		assertThat(got).hasSize(1);
		assertThat(backends.get(got.iterator().next()).lastHandshake().headers().get("Cookie"))
			.isEqualTo("sid=4f2a9c; theme=dark");
	}

	@Test
	void cookieHashSpreadsDifferentCookiesOverTheServers() {
		Map<String, Integer> counts = countSessions(20, i -> backendOf("/cookiehash", Map.of("Cookie", "sid=" + i)));
		assertThat(counts).containsOnlyKeys("cookiehash.a", "cookiehash.b");
	}

	// ---- sticky sessions ----

	@Test
	void cookieConsistentHashPinsAnAppCookieValueDespiteRoundRobin() {
		List<String> withCookie = new ArrayList<>();
		List<String> withoutCookie = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			withCookie.add(backendOf("/sticky-app-cookie", Map.of("Cookie", "user=alice")));
			withoutCookie.add(backendOf("/sticky-app-cookie", Map.of()));
		}
		assertThat(new LinkedHashSet<>(withCookie)).as("servers of user=alice: %s", withCookie).hasSize(1);
		assertAlternates(withoutCookie, "appcookie.a", "appcookie.b");
		// The app cookie is found among other cookies.
		assertThat(backendOf("/sticky-app-cookie", Map.of("Cookie", "theme=dark; user=alice; lang=en")))
			.isEqualTo(withCookie.get(0));
	}

	@Test
	void cookieConsistentHashSpreadsDifferentAppCookieValues() {
		Map<String, Integer> counts = countSessions(20,
				i -> backendOf("/sticky-app-cookie", Map.of("Cookie", "user=user-" + i)));
		assertThat(counts).containsOnlyKeys("appcookie.a", "appcookie.b");
		for (int i = 0; i < 20; i += 7) {
			String first = backendOf("/sticky-app-cookie", Map.of("Cookie", "user=user-" + i));
			assertThat(backendOf("/sticky-app-cookie", Map.of("Cookie", "user=user-" + i))).isEqualTo(first);
		}
	}

	@Test
	void durationBasedIssuesAnLbCookieOnThe101() {
		Opened opened = open("/sticky-lb-cookie", Map.of());
		String setCookie = lbCookieHeader(opened);
		assertThat(setCookie).matches("EG_SESSION=[0-9a-f]{80}; Expires=.+ GMT");
	}

	@Test
	void durationBasedLbCookiePinsLaterSessionsToItsServer() {
		// Two fresh sessions: round robin gives them different servers, each with its cookie.
		Opened first = open("/sticky-lb-cookie", Map.of());
		Opened second = open("/sticky-lb-cookie", Map.of());
		assertThat(first.backend()).isNotEqualTo(second.backend());
		String firstCookie = lbCookieValue(first);
		String secondCookie = lbCookieValue(second);

		List<String> pinnedToFirst = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			pinnedToFirst.add(backendOf("/sticky-lb-cookie", Map.of("Cookie", "EG_SESSION=" + firstCookie)));
		}
		List<String> pinnedToSecond = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			pinnedToSecond.add(backendOf("/sticky-lb-cookie", Map.of("Cookie", "a=1; EG_SESSION=" + secondCookie)));
		}
		assertThat(pinnedToFirst).containsOnly(first.backend());
		assertThat(pinnedToSecond).containsOnly(second.backend());

		// Without the cookie, round robin still alternates.
		List<String> unpinned = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			unpinned.add(backendOf("/sticky-lb-cookie", Map.of()));
		}
		assertAlternates(unpinned, "lbcookie.a", "lbcookie.b");
	}

	@Test
	void durationBasedIgnoresAForgedLbCookie() {
		String forged = "0".repeat(80);
		List<String> got = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			got.add(backendOf("/sticky-lb-cookie", Map.of("Cookie", "EG_SESSION=" + forged)));
		}
		assertAlternates(got, "lbcookie.a", "lbcookie.b");
	}

	// ---- candidate pools ----

	@Test
	void canaryHeaderChoosesTheCandidatePool() {
		for (int i = 0; i < 3; i++) {
			assertThat(backendOf("/canary", Map.of("X-Canary", "true"))).isEqualTo("canary.candidate");
		}
	}

	@Test
	void mainPoolDeclaredAfterTheCandidateIsStillTheFallback() {
		assertThat(backendOf("/canary", Map.of())).isEqualTo("canary.main");
		assertThat(backendOf("/canary", Map.of("X-Canary", "false"))).isEqualTo("canary.main");
		assertThat(backendOf("/canary", Map.of("X-Canary", "TRUE"))).isEqualTo("canary.main");
		assertThat(backendOf("/canary", Map.of("X-Other", "true"))).isEqualTo("canary.main");
	}

	@Test
	void matchAllHeadersNeedsEveryHeaderRule() {
		// The main pool is declared first here: it must not shadow the candidate.
		assertThat(backendOf("/all-headers", Map.of("X-Canary", "true", "X-Region", "eu")))
			.isEqualTo("allheaders.candidate");
		assertThat(backendOf("/all-headers", Map.of("X-Canary", "true"))).isEqualTo("allheaders.main");
		assertThat(backendOf("/all-headers", Map.of("X-Region", "eu"))).isEqualTo("allheaders.main");
		assertThat(backendOf("/all-headers", Map.of("X-Canary", "true", "X-Region", "us"))).isEqualTo("allheaders.main");
		assertThat(backendOf("/all-headers", Map.of())).isEqualTo("allheaders.main");
	}

	@Test
	void withoutMatchAllHeadersAnyHeaderRuleIsEnough() {
		assertThat(backendOf("/any-header", Map.of("X-Canary", "true"))).isEqualTo("anyheader.candidate");
		assertThat(backendOf("/any-header", Map.of("X-Region", "eu"))).isEqualTo("anyheader.candidate");
		assertThat(backendOf("/any-header", Map.of("X-Canary", "true", "X-Region", "eu")))
			.isEqualTo("anyheader.candidate");
		assertThat(backendOf("/any-header", Map.of("X-Canary", "no", "X-Region", "us"))).isEqualTo("anyheader.main");
		assertThat(backendOf("/any-header", Map.of())).isEqualTo("anyheader.main");
	}

	@Test
	void urlFilterChoosesTheCandidateByPath() {
		assertThat(backendOf("/beta/chat", Map.of())).isEqualTo("url.beta");
		assertThat(backends.get("url.beta").lastHandshake().uri()).isEqualTo("/beta/chat");
		assertThat(backendOf("/beta", Map.of())).isEqualTo("url.beta");
		assertThat(backendOf("/stable/chat", Map.of())).isEqualTo("url.main");
		assertThat(backendOf("/alpha/beta", Map.of())).isEqualTo("url.main");
		assertThat(backendOf("/", Map.of())).isEqualTo("url.main");
	}

	@Test
	void urlFilterForAnotherMethodNeverMatchesAGetHandshake() {
		// WebSocket handshakes are GETs: a POST-only candidate is never chosen.
		assertThat(backendOf("/gamma/chat", Map.of())).isEqualTo("url.main");
	}

	// ---- helpers ----

	/** Opens one session, proves the bridge with an echo, closes it, and names the backend that got it. */
	private String backendOf(String path, Map<String, String> headers) {
		return open(path, headers).backend();
	}

	private Opened open(String path, Map<String, String> headers) {
		Map<TestBackend, Integer> before = handshakeCounts();
		List<String> setCookies;
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", path), headers, null)) {
			setCookies = client.responseHeaders().getAll("Set-Cookie");
			String message = "hello #" + messages.incrementAndGet();
			client.sendText(message);
			assertThat(client.nextText()).as("echo through %s", path).isEqualTo(message);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
		List<String> grew = new ArrayList<>();
		backends.forEach((name, backend) -> {
			if (backend.handshakes.size() > before.get(backend)) {
				grew.add(name);
			}
		});
		assertThat(grew).as("backends that got the handshake of %s %s", path, headers).hasSize(1);
		return new Opened(grew.get(0), setCookies);
	}

	private Map<TestBackend, Integer> handshakeCounts() {
		Map<TestBackend, Integer> counts = new IdentityHashMap<>();
		backends.values().forEach(b -> counts.put(b, b.handshakes.size()));
		return counts;
	}

	private static Map<String, Integer> countSessions(int sessions, java.util.function.IntFunction<String> session) {
		Map<String, Integer> counts = new LinkedHashMap<>();
		for (int i = 0; i < sessions; i++) {
			counts.merge(session.apply(i), 1, Integer::sum);
		}
		return counts;
	}

	/** Consecutive sessions went to different servers, and both servers were used. */
	private static void assertAlternates(List<String> got, String a, String b) {
		assertThat(got).as("servers in order").containsOnly(a, b);
		for (int i = 1; i < got.size(); i++) {
			assertThat(got.get(i)).as("session %d of %s", i, got).isNotEqualTo(got.get(i - 1));
		}
	}

	private static String lbCookieHeader(Opened opened) {
		List<String> lbCookies = opened.setCookies().stream().filter(c -> c.startsWith("EG_SESSION=")).toList();
		assertThat(lbCookies).as("EG_SESSION cookies in %s", opened.setCookies()).hasSize(1);
		return lbCookies.get(0);
	}

	private static String lbCookieValue(Opened opened) {
		String header = lbCookieHeader(opened);
		int end = header.indexOf(';');
		return header.substring("EG_SESSION=".length(), (end >= 0) ? end : header.length());
	}
}
