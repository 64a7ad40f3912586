package io.wsgate.it;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * store: redis while Redis stops mid-run: redisFailure allow lets handshakes through, deny refuses
 * them with 429; the outage is logged once and counted, and its end logged once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageIntegrationTests {

	private static final String DOWN = "RateLimiter: Redis is unreachable";

	private static final String UP = "RateLimiter: Redis answers again";

	private final TestBackend backend = new TestBackend();

	private RedisServer redis;

	private Gateway gateway;

	@BeforeAll
	void start() throws Exception {
		redis = RedisServer.start();
		gateway = GatewayYaml.edge()
			.pipeline("pathPrefix: /allow", "allow", """
					- kind: RateLimiter
					  name: limiter
					  policies: [{name: many, limitForPeriod: 1000, limitRefreshPeriod: 1s, timeoutDuration: 0s}]
					  urls: [{url: {prefix: /}, policyRef: many}]
					  store: redis
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("pathPrefix: /deny", "deny", """
					- kind: RateLimiter
					  name: limiter
					  policies: [{name: many, limitForPeriod: 1000, limitRefreshPeriod: 1s, timeoutDuration: 0s}]
					  urls: [{url: {prefix: /}, policyRef: many}]
					  store: redis
					  redisFailure: deny
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.start(Map.of("backend", backend.port(), "spring.data.redis.host", "127.0.0.1", "spring.data.redis.port",
					redis.port()));
	}

	@AfterAll
	void stop() throws Exception {
		if (gateway != null) {
			gateway.close();
		}
		backend.close();
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void allowAndDenyWhileRedisIsDownEachOutageLoggedOnce(CapturedOutput output) throws Exception {
		assertThat(handshake("/allow").status()).isEqualTo(101);
		assertThat(handshake("/deny").status()).isEqualTo(101);

		redis.stop();

		for (int i = 0; i < 3; i++) {
			assertThat(handshake("/allow").status()).isEqualTo(101);
			RawHttp.Response refused = handshake("/deny");
			assertThat(refused.status()).isEqualTo(429);
			assertThat(refused.headers()).containsEntry("retry-after", "1");
		}
		assertThat(count(output.getOut(), DOWN)).isEqualTo(1);
		assertThat(errors("allow")).isGreaterThanOrEqualTo(3);
		assertThat(errors("deny")).isGreaterThanOrEqualTo(3);

		redis.restart();

		// Lettuce reconnects on its own schedule (a growing back-off).
		await().atMost(Duration.ofSeconds(60)).until(() -> handshake("/deny").status() == 101);
		assertThat(handshake("/allow").status()).isEqualTo(101);
		assertThat(count(output.getOut(), UP)).isEqualTo(1);
		assertThat(count(output.getOut(), DOWN)).isEqualTo(1);
	}

	private double errors(String pipeline) {
		return gateway.bean(MeterRegistry.class).get("wsgate.ratelimit.store.errors").tags("pipeline", pipeline,
				"filter", "limiter").counter().count();
	}

	private static int count(String text, String line) {
		Matcher matcher = Pattern.compile(Pattern.quote(line)).matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	private RawHttp.Response handshake(String path) throws Exception {
		return RawHttp.send(gateway.port("edge"), "GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
	}
}
