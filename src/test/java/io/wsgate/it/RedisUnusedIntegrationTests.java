package io.wsgate.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis starter on the classpath changes nothing for a gateway that uses no redis store: it
 * starts without Redis, never connects to it, and its health has no Redis part to turn DOWN.
 */
class RedisUnusedIntegrationTests {

	@Test
	void aGatewayWithoutARedisStoreNeverConnectsToRedis() throws Exception {
		try (ServerSocketChannel fakeRedis = ServerSocketChannel.open();
				TestBackend backend = new TestBackend()) {
			fakeRedis.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			fakeRedis.configureBlocking(false);
			try (Gateway gateway = GatewayYaml.edge()
				.pipeline("pathPrefix: /", "local", """
						- kind: RateLimiter
						  name: limiter
						  policies: [{name: p, limitForPeriod: 10, limitRefreshPeriod: 1s}]
						  urls: [{url: {prefix: /}, policyRef: p}]
						- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
						""")
				.start(Map.of("backend", backend.port(), "spring.data.redis.host", "127.0.0.1", "spring.data.redis.port",
						fakeRedis.socket().getLocalPort()))) {
				assertThat(RawHttp.send(gateway.port("edge"), "GET /chat HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS)
					.status()).isEqualTo(101);
				String health = gateway.management("/actuator/health");

				assertThat(health).endsWith("\"status\":\"UP\"}").doesNotContainIgnoringCase("redis");
				assertThat(fakeRedis.accept()).as("a connection to Redis").isNull();
			}
		}
	}
}
