package io.wsgate.it;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** store: redis: two gateways that share one Redis enforce one limit between them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisRateLimiterIntegrationTests {

	static final String CONFIG = """
			wsgate:
			  http-servers:
			    - name: edge
			      port: 0
			      rules:
			        - paths:
			            - {pathPrefix: /, backend: shared}
			  pipelines:
			    - name: shared
			      filters:
			        - kind: RateLimiter
			          name: limiter
			          policies: [{name: three, limitForPeriod: 3, limitRefreshPeriod: 24h, timeoutDuration: 0s}]
			          urls: [{url: {prefix: /}, policyRef: three}]
			          key: global
			          store: redis
			        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
			""";

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
		assertThat(handshake(first).status()).isEqualTo(101);
		assertThat(handshake(second).status()).isEqualTo(101);
		assertThat(handshake(first).status()).isEqualTo(101);

		RawHttp.Response refusedBySecond = handshake(second);
		RawHttp.Response refusedByFirst = handshake(first);

		assertThat(refusedBySecond.status()).isEqualTo(429);
		assertThat(refusedByFirst.status()).isEqualTo(429);
		assertThat(Long.parseLong(refusedBySecond.headers().get("retry-after"))).isBetween(1L, 86_400L);
	}

	private static RawHttp.Response handshake(Gateway gateway) throws Exception {
		return RawHttp.send(gateway.port("edge"), "GET /chat HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
	}
}
