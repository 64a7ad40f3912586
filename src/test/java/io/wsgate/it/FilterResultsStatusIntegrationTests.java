package io.wsgate.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/wsgate} lists each pipeline's filters with their kind and their handshakes by
 * result: a RequestAdaptor's continues, and the proxy's own refusal of a bad handshake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilterResultsStatusIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.server("gw")
			.pipeline("path: /adapted", "adapted", """
					- {kind: RequestAdaptor, name: adaptor, path: {replace: /ws}}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.proxyName("wsproxy")
			.proxy("path: /idle", "idle", "ws://127.0.0.1:${port}")
			.start(Map.of("port", backend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@Test
	void eachFilterShowsItsKindAndItsHandshakesByResult() throws Exception {
		String head = "GET /adapted HTTP/1.1\r\nHost: gw\r\n";
		for (int i = 0; i < 2; i++) {
			assertThat(RawHttp.send(gateway.port("gw"), head + RawHttp.UPGRADE_HEADERS).status()).isEqualTo(101);
		}
		RawHttp.Response bad = RawHttp.send(gateway.port("gw"),
				head + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
		assertThat(bad.status()).as("no Sec-WebSocket-Key: the proxy's clientError").isEqualTo(400);

		String adaptor = "$.pipelines[?(@.name == 'adapted')].filters[?(@.name == 'adaptor')]";
		String proxy = "$.pipelines[?(@.name == 'adapted')].filters[?(@.name == 'wsproxy')]";
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			String status = gateway.management("/actuator/wsgate");
			assertThat(JsonPath.<List<Object>>read(status, proxy + ".handshakes")).containsExactly(3);
			assertThat(JsonPath.<List<Object>>read(status, adaptor + ".kind")).containsExactly("RequestAdaptor");
			assertThat(JsonPath.<List<Object>>read(status, adaptor + ".handshakes")).containsExactly(3);
			assertThat(JsonPath.<List<Object>>read(status, adaptor + ".refused")).containsExactly(0);
			assertThat(JsonPath.<List<Object>>read(status, adaptor + ".results")).containsExactly(Map.of("continue", 3));
			assertThat(JsonPath.<List<Object>>read(status, proxy + ".kind")).containsExactly("WebSocketProxy");
			assertThat(JsonPath.<List<Object>>read(status, proxy + ".refused")).containsExactly(1);
			assertThat(JsonPath.<List<Object>>read(status, proxy + ".results"))
				.containsExactly(Map.of("continue", 2, "clientError", 1));
			// The proxy's refusal is counted by its outcome already, not again as a filter's.
			assertThat((Integer) JsonPath.read(status, "$.totals.filterRefusals")).isZero();
		});
	}

	@Test
	void aFilterThatHasSeenNoHandshakeIsListedWithNoResults() throws Exception {
		String status = gateway.management("/actuator/wsgate");

		String idle = "$.pipelines[?(@.name == 'idle')].filters[0]";
		assertThat(JsonPath.<List<Object>>read(status, idle + ".name")).containsExactly("wsproxy");
		assertThat(JsonPath.<List<Object>>read(status, idle + ".handshakes")).containsExactly(0);
		assertThat(JsonPath.<List<Object>>read(status, idle + ".results")).containsExactly(Map.of());
		assertThat(JsonPath.<List<Object>>read(status, "$.pipelines[?(@.name == 'idle')].pools[0].name"))
			.containsExactly("websocketproxy#wsproxy#main");
	}
}
