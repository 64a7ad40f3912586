package io.wsgate.it;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** store: redis: two gateways that share one Redis enforce one limit between them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisRateLimiterIntegrationTests {

	static final String CONFIG = GatewayYaml.edge()
		.pipeline("pathPrefix: /", "shared", """
				- kind: RateLimiter
				  name: limiter
				  policies:
				    - {name: three, limitForPeriod: 3, limitRefreshPeriod: 24h, timeoutDuration: 0s}
				    - {name: many, limitForPeriod: 1000, limitRefreshPeriod: 1s, timeoutDuration: 0s}
				  urls:
				    - {url: {prefix: /warm}, policyRef: many}
				    - {url: {prefix: /}, policyRef: three}
				  key: global
				  store: redis
				- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
				""")
		.build();

	private final TestBackend backend = new TestBackend();

	private RedisServer redis;

	private Gateway first;

	private Gateway second;

	@BeforeAll
	void start() throws Exception {
		redis = RedisServer.start();
		Map<String, Object> properties = Map.of("backend", backend.port(), "spring.data.redis.host", "127.0.0.1",
				"spring.data.redis.port", redis.port());
		first = Gateway.start(CONFIG, properties);
		second = Gateway.start(CONFIG, properties);
	}

	@AfterAll
	void stop() throws Exception {
		if (first != null) {
			first.close();
		}
		if (second != null) {
			second.close();
		}
		backend.close();
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void twoGatewaysSharingARedisEnforceOneLimit() throws Exception {
		// Each gateway's Redis path runs a few times first (a cold JVM on a busy machine can be slow).
		for (int i = 0; i < 5; i++) {
			assertThat(handshake(first, "/warm").status()).isEqualTo(101);
			assertThat(handshake(second, "/warm").status()).isEqualTo(101);
		}
		double errorsBefore = errors(first) + errors(second);

		assertThat(handshake(first, "/chat").status()).isEqualTo(101);
		assertThat(handshake(second, "/chat").status()).isEqualTo(101);
		assertThat(handshake(first, "/chat").status()).isEqualTo(101);

		RawHttp.Response refusedBySecond = handshake(second, "/chat");
		RawHttp.Response refusedByFirst = handshake(first, "/chat");

		assertThat(errors(first) + errors(second)).as("Redis calls that failed or timed out").isEqualTo(errorsBefore);
		assertThat(refusedBySecond.status()).isEqualTo(429);
		assertThat(refusedByFirst.status()).isEqualTo(429);
		assertThat(Long.parseLong(refusedBySecond.headers().get("retry-after"))).isBetween(1L, 86_400L);
	}

	private static double errors(Gateway gateway) {
		return gateway.bean(MeterRegistry.class).get("wsgate.ratelimit.store.errors").counter().count();
	}

	private static RawHttp.Response handshake(Gateway gateway, String path) throws Exception {
		return RawHttp.send(gateway.port("edge"), "GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
	}
}
