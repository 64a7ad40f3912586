package io.wsgate.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two pipelines whose proxies have the same filter name (as the docs' examples all do) and the
 * same backend: each pool keeps its own session limit, meters, health and status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIsolationIntegrationTests {

	private static final String POOL = "websocketproxy#wsproxy#main";

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	private MeterRegistry registry;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxyName("wsproxy")
			.proxy("path: /chat", "chat", "ws://127.0.0.1:${backend}", "maxSessions: 1")
			.proxy("path: /feed", "feed", "ws://127.0.0.1:${backend}", "maxSessions: 1")
			.start(Map.of("backend", backend.port()));
		registry = gateway.bean(MeterRegistry.class);
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@Test
	void eachPoolHasItsOwnLimitMetersHealthAndStatus() throws Exception {
		String server = "ws://127.0.0.1:" + backend.port();
		try (TestClient chat = TestClient.connect(gateway.wsUrl("edge", "/chat"));
				TestClient feed = TestClient.connect(gateway.wsUrl("edge", "/feed"))) {
			chat.sendText("c");
			assertThat(chat.nextText()).isEqualTo("c");
			feed.sendText("f");
			assertThat(feed.nextText()).as("the chat session does not count against feed's limit").isEqualTo("f");
			assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/chat")).close())
				.as("chat's own limit of one still holds")
				.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, ex -> assertThat(ex.status).isEqualTo(503));

			for (String pipeline : List.of("chat", "feed")) {
				assertThat(registry.get("wsgate.sessions.active").tags("pipeline", pipeline, "pool", POOL, "server", server)
					.gauge().value()).as(pipeline + " sessions").isEqualTo(1);
				assertThat(registry.get("wsgate.server.healthy").tags("pipeline", pipeline, "pool", POOL, "server", server)
					.gauge().value()).as(pipeline + " health gauge").isEqualTo(1);
				String health = gateway.management("/actuator/health");
				assertThat((String) JsonPath.read(health, "$.components.wsgate.components." + pipeline
						+ ".components.wsproxy-main.status")).isEqualTo("UP");
			}
			String status = gateway.management("/actuator/wsgate");
			assertThat((Integer) JsonPath.read(status, "$.totals.activeSessions")).as("each session counted once").isEqualTo(2);
			for (String pipeline : List.of("chat", "feed")) {
				assertThat(JsonPath.<List<Object>>read(status,
						"$.pipelines[?(@.name == '" + pipeline + "')].pools[0].servers[0].activeSessions")).containsExactly(1);
			}

			chat.close(4001, "bye");
			await().atMost(Duration.ofSeconds(5)).until(() -> registry.find("wsgate.closes")
				.tags("pipeline", "chat", "pool", POOL, "code", "4xxx").counter() != null);
			assertThat(registry.find("wsgate.closes").tags("pipeline", "feed").counter()).as("feed's session is open").isNull();
		}
	}
}
