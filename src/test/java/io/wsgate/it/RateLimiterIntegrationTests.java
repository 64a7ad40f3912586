package io.wsgate.it;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RateLimiter on handshakes, local store: the first matching url's policy per key; 429 with
 * Retry-After once a policy's permits are gone; a wait within timeoutDuration, then 101.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RateLimiterIntegrationTests {

	private static final String SECRET = "sk-live-4f9a2c77e1d0";

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.wsgate("access-log: {enabled: true}")
			.serverKeys("trustedProxies: [127.0.0.0/8]")
			.pipeline("pathPrefix: /per-ip", "per-ip", "[{filter: limiter}, {filter: proxy}]", """
					- kind: RateLimiter
					  name: limiter
					  policies:
					    - {name: two, limitForPeriod: 2, limitRefreshPeriod: 1h, timeoutDuration: 0s}
					  defaultPolicyRef: two
					  urls:
					    - {methods: [GET], url: {prefix: /per-ip/limited}}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("pathPrefix: /per-key", "per-key", """
					- kind: RateLimiter
					  name: limiter
					  policies: [{name: one, limitForPeriod: 1, limitRefreshPeriod: 1h, timeoutDuration: 0s}]
					  urls: [{url: {regex: "^/per-key/"}, policyRef: one}]
					  key: header:X-Api-Key
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("pathPrefix: /waiting", "waiting", """
					- kind: RateLimiter
					  name: limiter
					  policies: [{name: slow, limitForPeriod: 1, limitRefreshPeriod: 1s, timeoutDuration: 3s}]
					  urls: [{url: {exact: /waiting}, policyRef: slow}]
					  key: global
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.start(Map.of("backend", backend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@Test
	void handshakesOverThePolicyGet429WithRetryAfter() throws Exception {
		assertThat(handshake("/per-ip/limited", "198.51.100.1", "").status()).isEqualTo(101);
		assertThat(handshake("/per-ip/limited", "198.51.100.1", "").status()).isEqualTo(101);

		RawHttp.Response refused = handshake("/per-ip/limited", "198.51.100.1", "");

		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.body()).isEqualTo("too many requests\n");
		// The next permit comes with the next cycle of the hour-long period.
		assertThat(Long.parseLong(refused.headers().get("retry-after"))).isBetween(1L, 3600L);
		assertThat(gateway.bean(MeterRegistry.class).get("wsgate.filter.results")
			.tags("pipeline", "per-ip", "filter", "limiter", "kind", "RateLimiter", "result", "rateLimited")
			.counter()
			.count()).isEqualTo(1);
	}

	@Test
	void eachClientAddressHasItsOwnCounter() throws Exception {
		for (int i = 0; i < 3; i++) {
			handshake("/per-ip/limited", "198.51.100.2", "");
		}
		assertThat(handshake("/per-ip/limited", "198.51.100.2", "").status()).isEqualTo(429);
		assertThat(handshake("/per-ip/limited", "198.51.100.3", "").status()).isEqualTo(101);
	}

	@Test
	void aHandshakeNoUrlMatchesIsNotLimited() throws Exception {
		for (int i = 0; i < 4; i++) {
			assertThat(handshake("/per-ip/open", "198.51.100.4", "").status()).isEqualTo(101);
		}
	}

	@Test
	void aHeaderKeySeparatesItsValuesAndNeverShowsThem(CapturedOutput output) throws Exception {
		String withSecret = "X-Api-Key: " + SECRET + "\r\n";
		assertThat(handshake("/per-key/a", "198.51.100.5", withSecret).status()).isEqualTo(101);
		assertThat(handshake("/per-key/a", "198.51.100.6", "X-Api-Key: another\r\n").status()).isEqualTo(101);

		RawHttp.Response refused = handshake("/per-key/a", "198.51.100.7", withSecret);

		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.body()).doesNotContain(SECRET);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getOut()).contains("filter=limiter").contains("rate limited by policy one"));
		assertThat(output.getAll()).doesNotContain(SECRET);
		assertThat(gateway.management("/actuator/prometheus")).doesNotContain(SECRET);
	}

	@Test
	void aHandshakeWithoutTheHeaderSharesOneCounterWithTheOthersWithoutIt() throws Exception {
		assertThat(handshake("/per-key/b", "198.51.100.8", "").status()).isEqualTo(101);
		assertThat(handshake("/per-key/b", "198.51.100.9", "").status()).isEqualTo(429);
	}

	@Test
	void aHandshakeWaitsWithinTimeoutDurationForThePermitOfALaterCycle() throws Exception {
		long start = System.nanoTime();
		// One permit a second: the first goes at once, the next two wait for the next two cycles.
		for (int i = 0; i < 3; i++) {
			assertThat(handshake("/waiting", "198.51.100.10", "").status()).isEqualTo(101);
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		// The third permit is the one of the cycle after next: at least a whole cycle away.
		assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
	}

	private RawHttp.Response handshake(String path, String client, String headers) throws Exception {
		return RawHttp.send(gateway.port("edge"), "GET " + path + " HTTP/1.1\r\nHost: gw\r\nX-Forwarded-For: " + client
				+ "\r\n" + headers + RawHttp.UPGRADE_HEADERS);
	}
}
