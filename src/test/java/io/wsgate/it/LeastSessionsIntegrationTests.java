package io.wsgate.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code leastSessions} evens long-lived sessions out when a server joins: round robin would leave
 * the server that was there first with every session it already had.
 */
class LeastSessionsIntegrationTests {

	private final TestBackend first = new TestBackend();

	private final TestBackend joining = new TestBackend().refuseWith(503);

	private final List<TestClient> clients = new ArrayList<>();

	private Gateway gateway;

	@AfterEach
	void stop() {
		clients.forEach(TestClient::close);
		if (gateway != null) {
			gateway.close();
		}
		first.close();
		joining.close();
	}

	@Test
	void newSessionsGoToTheJoiningServerUntilBothHoldAsMany() throws Exception {
		gateway = start("healthCheck: {interval: 100ms, ws: {uri: /health}}");
		await().atMost(Duration.ofSeconds(5)).until(() -> status(joining).equals("DOWN"));
		open(100);
		assertThat(sessionsOn(first)).isEqualTo(100);

		joining.refuseWith(0);
		await().atMost(Duration.ofSeconds(5)).until(() -> status(joining).equals("UP"));
		open(100);
		assertThat(sessionsOn(joining)).as("every new session until both hold 100").isEqualTo(100);
		assertThat(sessionsOn(first)).isEqualTo(100);

		open(2);
		assertThat(sessionsOn(first)).as("then one each").isEqualTo(101);
		assertThat(sessionsOn(joining)).isEqualTo(101);
	}

	@Test
	void sessionsThatEndedNoLongerCount() throws Exception {
		gateway = start("");
		joining.refuseWith(0);
		open(10);
		assertThat(sessionsOn(first)).as("ties go round robin").isEqualTo(5);
		List<TestBackend.Session> onFirst = first.sessions.stream().toList();
		for (int i = 0; i < 4; i++) {
			onFirst.get(i).close(1000, "done");
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> activeSessions(first) == 1);

		open(4);
		assertThat(sessionsOn(first)).as("the four new sessions refill the server whose sessions ended").isEqualTo(9);
		assertThat(sessionsOn(joining)).isEqualTo(5);
	}

	private int activeSessions(TestBackend backend) {
		List<Integer> active = JsonPath.read(gateway.management("/actuator/wsgate"),
				"$.pipelines[0].pools[0].servers[?(@.url == 'ws://127.0.0.1:" + backend.port() + "')].activeSessions");
		return active.get(0);
	}

	/** Both servers in one leastSessions pool, with {@code poolOptions} added to the pool. */
	private Gateway start(String poolOptions) {
		return GatewayYaml.edge()
			.pipeline("path: /ws", "chat", """
					- kind: WebSocketProxy
					  name: wsproxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${first}"}, {url: "ws://127.0.0.1:${joining}"}]
					      loadBalance: {policy: leastSessions}
					      %s
					""".formatted(poolOptions))
			.start(Map.of("first", first.port(), "joining", joining.port()));
	}

	private void open(int count) throws Exception {
		for (int i = 0; i < count; i++) {
			TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
			clients.add(client);
			client.sendText("hi");
			assertThat(client.nextText()).isEqualTo("hi");
		}
	}

	private static long sessionsOn(TestBackend backend) {
		return backend.sessions.stream().filter(session -> session.uri.equals("/ws")).count();
	}

	private String status(TestBackend backend) {
		return JsonPath.read(gateway.management("/actuator/health"), "$.components.wsgate.components.chat.components"
				+ ".wsproxy-main.details.servers['ws://127.0.0.1:" + backend.port() + "'].status");
	}
}
