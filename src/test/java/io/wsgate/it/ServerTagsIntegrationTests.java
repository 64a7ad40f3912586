package io.wsgate.it;

import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** A pool's {@code serverTags} select its servers; status and health show the tags. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerTagsIntegrationTests {

	private final TestBackend blue = new TestBackend();

	private final TestBackend green = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.pipeline("path: /ws", "tagged", """
					- kind: WebSocketProxy
					  name: wsproxy
					  pools:
					    - servers:
					        - {url: "ws://127.0.0.1:${blue}", tags: [blue, eu]}
					        - {url: "ws://127.0.0.1:${green}", tags: [green]}
					      serverTags: [blue]
					""")
			.start(Map.of("blue", blue.port(), "green", green.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		blue.close();
		green.close();
	}

	@Test
	void onlyServersCarryingOneOfTheTagsGetSessionsAndTheTagsAreShown() throws Exception {
		for (int i = 0; i < 4; i++) {
			try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
				client.sendText("hi");
				assertThat(client.nextText()).isEqualTo("hi");
			}
		}
		assertThat(blue.sessions).hasSize(4);
		assertThat(green.sessions).isEmpty();

		String status = gateway.management("/actuator/wsgate");
		assertThat(JsonPath.<List<Object>>read(status, "$.pipelines[0].pools[0].serverTags")).containsExactly("blue");
		assertThat(JsonPath.<List<Object>>read(status, "$.pipelines[0].pools[0].servers[*].url"))
			.containsExactly("ws://127.0.0.1:" + blue.port());
		assertThat(JsonPath.<List<Object>>read(status, "$.pipelines[0].pools[0].servers[0].tags")).containsExactly("blue", "eu");
		String health = gateway.management("/actuator/health");
		assertThat(JsonPath.<List<Object>>read(health, "$.components.wsgate.components.tagged.components.wsproxy-main"
				+ ".details.servers['ws://127.0.0.1:" + blue.port() + "'].tags")).containsExactly("blue", "eu");
	}
}
