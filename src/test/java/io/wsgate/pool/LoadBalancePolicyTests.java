package io.wsgate.pool;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import io.wsgate.config.PoolSpec.Policy;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.Spelled;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static io.wsgate.config.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

class LoadBalancePolicyTests {

	private static final List<Server> TEN = servers(10);

	@Test
	void roundRobinCyclesThroughServersInOrderStartingAtTheFirst() {
		List<Server> three = servers(3);
		LoadBalancePolicy policy = LoadBalancePolicy.roundRobin();

		List<String> picks = IntStream.range(0, 7).mapToObj(i -> policy.choose(three, request()).url()).toList();

		assertThat(picks).containsExactly("ws://s0:8080", "ws://s1:8080", "ws://s2:8080", "ws://s0:8080",
				"ws://s1:8080", "ws://s2:8080", "ws://s0:8080");
	}

	@Test
	void randomSpreadsPicksEvenlyOverAllServers() {
		LoadBalancePolicy policy = LoadBalancePolicy.random();

		Map<Server, Integer> hits = pick(policy, TEN, 100_000, i -> request());

		assertThat(hits).hasSize(10);
		assertThat(hits.values()).allSatisfy(count -> assertThat(count).isBetween(8_000, 12_000));
	}

	@Test
	void weightedRandomPicksServersInProportionToTheirWeights() {
		List<Server> weighted = IntStream.rangeClosed(1, 10)
			.mapToObj(w -> server("ws://w" + w + ":8080", w))
			.toList();
		LoadBalancePolicy policy = LoadBalancePolicy.weightedRandom();

		Map<Server, Integer> hits = pick(policy, weighted, 200_000, i -> request());

		for (int i = 1; i < weighted.size(); i++) {
			assertThat(hits.getOrDefault(weighted.get(i), 0))
				.as("hits of weight %d vs weight %d", i + 1, i)
				.isGreaterThan(hits.getOrDefault(weighted.get(i - 1), 0));
		}
	}

	@Test
	void ipHashSendsTheSameRealIpToTheSameServer() {
		LoadBalancePolicy policy = LoadBalancePolicy.ipHash();
		HttpHeaders headers = new HttpHeaders();
		headers.set("X-Real-Ip", "203.0.113.7");

		Set<Server> picked = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			// The TCP peer changes, the real IP does not.
			picked.add(policy.choose(TEN, RequestInfo.of("GET", "gw", "/", headers, "10.0.0." + i)));
		}

		assertThat(picked).hasSize(1);
	}

	@Test
	void ipHashSpreadsDistinctPublicIpsOverEveryServer() {
		LoadBalancePolicy policy = LoadBalancePolicy.ipHash();

		Set<Server> picked = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			picked.add(policy.choose(TEN, RequestInfo.of("GET", "gw", "/", new HttpHeaders(), "8.8." + i + "." + (i * 7 % 256))));
		}

		assertThat(picked).containsExactlyInAnyOrderElementsOf(TEN);
	}

	@Test
	void headerHashSendsTheSameHeaderValueToTheSameServer() {
		LoadBalancePolicy policy = LoadBalancePolicy.headerHash("X-User-Id");

		Set<Server> picked = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			picked.add(policy.choose(TEN, requestWith("X-User-Id", "alice", "10.0.0." + i)));
		}

		assertThat(picked).hasSize(1);
	}

	@Test
	void headerHashSpreadsDistinctHeaderValuesOverEveryServer() {
		LoadBalancePolicy policy = LoadBalancePolicy.headerHash("X-User-Id");

		Set<Server> picked = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			picked.add(policy.choose(TEN, requestWith("X-User-Id", "user-" + i, "10.0.0.1")));
		}

		assertThat(picked).containsExactlyInAnyOrderElementsOf(TEN);
	}

	@Test
	void headerHashOfAnAbsentHeaderHashesTheEmptyString() {
		LoadBalancePolicy policy = LoadBalancePolicy.headerHash("X-User-Id");

		Server picked = policy.choose(TEN, request());

		assertThat(picked).isEqualTo(TEN.get(Integer.remainderUnsigned(referenceFnv1(""), 10)));
	}

	@Test
	void leastSessionsPicksTheServerWithFewestSessions() {
		List<Server> three = servers(3);
		Map<Server, Integer> sessions = new HashMap<>(Map.of(three.get(0), 5, three.get(1), 2, three.get(2), 2));
		LoadBalancePolicy policy = LoadBalancePolicy.of(Policy.LEAST_SESSIONS,
				new LoadBalancePolicy.Context("", sessions::get));

		for (int i = 0; i < 4; i++) {
			sessions.merge(policy.choose(three, request()), 1, Integer::sum);
		}

		assertThat(sessions).containsEntry(three.get(0), 5).containsEntry(three.get(1), 4).containsEntry(three.get(2), 4);
	}

	@Test
	void leastSessionsBreaksTiesRoundRobin() {
		List<Server> three = servers(3);
		LoadBalancePolicy policy = LoadBalancePolicy.leastSessions(server -> 7);

		List<Server> picks = IntStream.range(0, 6).mapToObj(i -> policy.choose(three, request())).toList();

		assertThat(picks).containsExactly(three.get(0), three.get(1), three.get(2), three.get(0), three.get(1), three.get(2));
	}

	@Test
	void leastSessionsWeighsSessionsByTheServersWeights() {
		Server heavy = server("ws://heavy:8080", 3);
		Server light = server("ws://light:8080", 1);
		Map<Server, Integer> sessions = new HashMap<>(Map.of(heavy, 0, light, 0));
		LoadBalancePolicy policy = LoadBalancePolicy.leastSessions(sessions::get);

		for (int i = 0; i < 400; i++) {
			sessions.merge(policy.choose(List.of(heavy, light), request()), 1, Integer::sum);
		}

		assertThat(sessions.get(heavy)).isEqualTo(300);
		assertThat(sessions.get(light)).isEqualTo(100);
	}

	@Test
	void cookieHashHashesTheWholeCookieHeader() {
		LoadBalancePolicy policy = LoadBalancePolicy.of(Policy.COOKIE_HASH, new LoadBalancePolicy.Context("", server -> 0));
		String cookie = "session=abc; theme=dark";

		Server picked = policy.choose(TEN, requestWith(HttpHeaders.COOKIE, cookie, "10.0.0.1"));

		assertThat(picked).isEqualTo(TEN.get(Integer.remainderUnsigned(referenceFnv1(cookie), 10)));
		// Changing a cookie other than "session" still changes the hash key.
		Set<Server> picked100 = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			picked100.add(policy.choose(TEN, requestWith(HttpHeaders.COOKIE, "session=abc; theme=" + i, "10.0.0.1")));
		}
		assertThat(picked100).hasSizeGreaterThan(1);
	}

	@Test
	void ipHashUsesFnv1OfTheRealIpModuloTheServerCount() {
		LoadBalancePolicy policy = LoadBalancePolicy.ipHash();

		Server picked = policy.choose(TEN, RequestInfo.of("GET", "gw", "/", new HttpHeaders(), "198.51.100.23"));

		assertThat(picked).isEqualTo(TEN.get(Integer.remainderUnsigned(referenceFnv1("198.51.100.23"), 10)));
	}

	@Test
	void fnv1OfEmptyStringIsTheOffsetBasis() {
		assertThat(Hashing.fnv1("")).isEqualTo(referenceFnv1("")).isEqualTo(0x811C9DC5);
	}

	@Test
	void fnv1OfAsciiTextMatchesTheReference() {
		assertThat(Hashing.fnv1("a")).isEqualTo(0x050C5D7E);
		assertThat(Hashing.fnv1("192.168.1.10")).isEqualTo(referenceFnv1("192.168.1.10"));
		assertThat(Hashing.fnv1("user-42")).isEqualTo(referenceFnv1("user-42"));
	}

	@Test
	void fnv1OfNonAsciiTextMatchesTheReference() {
		// Go's hash/fnv XORs the unsigned byte; "é" is 0xC3 0xA9 in UTF-8.
		assertThat(Hashing.fnv1("é")).isEqualTo(referenceFnv1("é"));
		assertThat(Hashing.fnv1("用户")).isEqualTo(referenceFnv1("用户"));
	}

	@Test
	void policyNamesAreCaseInsensitiveAndUnknownNamesAreNull() {
		assertThat(Spelled.parse(Policy.class, "roundRobin")).isEqualTo(Policy.ROUND_ROBIN);
		assertThat(Spelled.parse(Policy.class, "WEIGHTEDRANDOM")).isEqualTo(Policy.WEIGHTED_RANDOM);
		assertThat(Spelled.parse(Policy.class, "ipHash")).isEqualTo(Policy.IP_HASH);
		assertThat(Spelled.parse(Policy.class, "leastConn")).isNull();
		assertThat(Spelled.parse(Policy.class, "round-robin")).as("no spelling that was not accepted before").isNull();
	}

	/** FNV-1 32-bit, written out from the definition: multiply by the prime, then XOR the byte. */
	static int referenceFnv1(String text) {
		long h = 0x811C9DC5L;
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			h = (h * 0x01000193L) & 0xFFFFFFFFL;
			h ^= (b & 0xFF);
		}
		return (int) h;
	}

	private static Map<Server, Integer> pick(LoadBalancePolicy policy, List<Server> servers, int times,
			IntFunction<RequestInfo> requests) {
		Map<Server, Integer> hits = new HashMap<>();
		for (int i = 0; i < times; i++) {
			hits.merge(policy.choose(servers, requests.apply(i)), 1, Integer::sum);
		}
		return hits;
	}

	static List<Server> servers(int n) {
		return IntStream.range(0, n).mapToObj(i -> Server.of(spec(ServerSpec.class, "url", "ws://s" + i + ":8080"))).toList();
	}

	static Server server(String url, int weight) {
		return Server.of(spec(ServerSpec.class, "url", url, "weight", weight));
	}

	private static RequestInfo request() {
		return RequestInfo.of("GET", "gw.example.com", "/ws", new HttpHeaders(), "10.0.0.1");
	}

	private static RequestInfo requestWith(String header, String value, String peerIp) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(header, value);
		return RequestInfo.of("GET", "gw.example.com", "/ws", headers, peerIp);
	}
}
