package io.wsgate.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Active and passive health as a user sees it: routing, 503, and the Actuator health tree. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthCheckIntegrationTests {

	private final TestBackend flappy = new TestBackend();

	private final TestBackend steady = new TestBackend();

	private final TestBackend tagged = new TestBackend()
		.respondWithHeaders(Map.of("X-Status", "healthy", "X-Version", "v2.3"));

	private final TestBackend httpBackend = new TestBackend().answerHttp(404, "big success");

	private final TestBackend httpFailing = new TestBackend().answerHttp(404, "failure");

	private final TestBackend lonely = new TestBackend();

	private final TestBackend revived = new TestBackend();

	/** Accepts TCP (kernel backlog) and never answers. */
	private final ServerSocket hanging = Sockets.hanging();

	private final int closedPort = Sockets.closedPort();

	/** Answers 101 with a Sec-WebSocket-Accept that matches no key: not a WebSocket server. */
	private final ServerSocket broken101 = Sockets.answering("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			+ "Connection: Upgrade\r\nSec-WebSocket-Accept: bm90IGEgcmVhbCBhY2NlcHQ=\r\n\r\n");

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.pipeline("path: /flappy", "flappy", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${flappy}"}, {url: "ws://127.0.0.1:${steady}"}]
					      healthCheck:
					        interval: 100ms
					        timeout: 2s
					        fails: 2
					        passes: 2
					        ws:
					          uri: /health/ws?probe=1
					          headers: {X-Health-Check: wsgate}
					""")
			.pipeline("headers", """
					- kind: WebSocketProxy
					  name: exact
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${tagged}"}]
					      healthCheck: {interval: 100ms, ws: {match: {headers: [{name: X-Status, value: healthy, type: exact}, {name: X-Version, value: "^v2\\\\.", type: regexp}]}}}
					- kind: WebSocketProxy
					  name: mismatch
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${tagged}"}]
					      healthCheck: {interval: 100ms, ws: {match: {headers: [{name: X-Status, value: sick}]}}}
					""")
			.pipeline("http", """
					- kind: WebSocketProxy
					  name: good
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${httpBackend}"}]
					      healthCheck: {interval: 100ms, http: {uri: /healthz, match: {statusCodes: [[200, 299], [400, 499]], body: {value: success}}}}
					- kind: WebSocketProxy
					  name: bad-body
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${httpFailing}"}]
					      healthCheck: {interval: 100ms, http: {uri: /healthz, match: {statusCodes: [[200, 299], [400, 499]], body: {value: "succ?ess$", type: regexp}}}}
					- kind: WebSocketProxy
					  name: bad-status
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${httpBackend}"}]
					      healthCheck: {interval: 100ms, http: {uri: /healthz}}
					""")
			.pipeline("hanging", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${hanging}"}, {url: "ws://127.0.0.1:${steady}"}]
					      healthCheck: {interval: 100ms, timeout: 1s, ws: {uri: /}}
					""")
			.pipeline("path: /lonely", "lonely", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${lonely}"}]
					      healthCheck: {interval: 100ms, ws: {uri: /}}
					""")
			.pipeline("path: /passive", "passive", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${closed}"}, {url: "ws://127.0.0.1:${steady}"}]
					      passiveHealthCheck: {backoff: 3s}
					""")
			.pipeline("path: /passive-single", "passive-single", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${closed}"}]
					      passiveHealthCheck: {backoff: 3s}
					""")
			.pipeline("broken", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${broken101}"}]
					      healthCheck: {interval: 100ms, ws: {uri: /}}
					""")
			.pipeline("path: /revived", "revived", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${revived}"}]
					      healthCheck: {interval: 1s, ws: {uri: /}}
					""")
			.start(Map.of("flappy", flappy.port(), "steady", steady.port(), "tagged", tagged.port(),
					"httpBackend", httpBackend.port(), "httpFailing", httpFailing.port(), "hanging", hanging.getLocalPort(),
					"lonely", lonely.port(), "closed", closedPort, "revived", revived.port(), "broken101", broken101.getLocalPort()));
	}

	@AfterAll
	void stop() throws IOException {
		gateway.close();
		for (TestBackend backend : List.of(flappy, steady, tagged, httpBackend, httpFailing, lonely, revived)) {
			backend.close();
		}
		hanging.close();
		broken101.close();
	}

	private String serverStatus(String pipeline, String pool, int port) {
		return JsonPath.read(gateway.management("/actuator/health"), "$.components.wsgate.components['" + pipeline
				+ "'].components['" + pool + "'].details.servers['ws://127.0.0.1:" + port + "'].status");
	}

	private String serverDetail(String pipeline, String pool, int port, String detail) {
		Object value = JsonPath.read(gateway.management("/actuator/health"), "$.components.wsgate.components['" + pipeline
				+ "'].components['" + pool + "'].details.servers['ws://127.0.0.1:" + port + "']." + detail);
		return String.valueOf(value);
	}

	private String poolStatus(String pipeline, String pool) {
		return JsonPath.read(gateway.management("/actuator/health"),
				"$.components.wsgate.components['" + pipeline + "'].components['" + pool + "'].status");
	}

	/** Opens sessions on a route and counts those that reached the backend (health probes aside). */
	private long sessionsTo(TestBackend backend, String path, int sessions) throws Exception {
		long before = proxied(backend, path);
		for (int i = 0; i < sessions; i++) {
			try (TestClient client = TestClient.connect(gateway.wsUrl("edge", path))) {
				client.sendText("ping");
				assertThat(client.nextText()).isEqualTo("ping");
			}
		}
		return proxied(backend, path) - before;
	}

	private static long proxied(TestBackend backend, String path) {
		return backend.sessions.stream().filter(session -> session.uri.equals(path)).count();
	}

	@Test
	void serverGoesDownAfterFailsTrafficMovesAwayAndItComesBackAfterPasses() throws Exception {
		await().atMost(Duration.ofSeconds(5)).until(() -> serverStatus("flappy", "proxy-main", flappy.port()).equals("UP")
				&& !serverDetail("flappy", "proxy-main", flappy.port(), "lastCheck").equals("null"));
		assertThat(flappy.lastHandshake().uri()).isEqualTo("/health/ws?probe=1");
		assertThat(flappy.lastHandshake().headers().get("X-Health-Check")).isEqualTo("wsgate");

		flappy.refuseWith(503);
		Instant broken = Instant.now();
		await().atMost(Duration.ofSeconds(5)).until(() -> serverStatus("flappy", "proxy-main", flappy.port()).equals("DOWN"));
		// interval x fails + a refused probe's round trip, with room for a busy machine
		assertThat(Duration.between(broken, Instant.now())).isLessThan(Duration.ofMillis(100 * 2 + 2000));
		assertThat(serverDetail("flappy", "proxy-main", flappy.port(), "lastFailure"))
			.isEqualTo("ws check: status 503 not in [[101,101]]");
		assertThat(poolStatus("flappy", "proxy-main")).as("one server is enough for the pool").isEqualTo("UP");
		long flappyBefore = proxied(flappy, "/flappy");
		assertThat(sessionsTo(steady, "/flappy", 4)).isEqualTo(4);
		assertThat(proxied(flappy, "/flappy")).isEqualTo(flappyBefore);

		flappy.refuseWith(0);
		await().atMost(Duration.ofSeconds(5)).until(() -> serverStatus("flappy", "proxy-main", flappy.port()).equals("UP"));
		assertThat(sessionsTo(flappy, "/flappy", 4)).as("back in the round robin").isEqualTo(2);
	}

	@Test
	void webSocketCheckMatchesResponseHeaders() {
		await().atMost(Duration.ofSeconds(5)).until(() -> serverStatus("headers", "mismatch-main", tagged.port()).equals("DOWN"));
		assertThat(serverStatus("headers", "exact-main", tagged.port())).isEqualTo("UP");
		assertThat(serverDetail("headers", "mismatch-main", tagged.port(), "lastFailure"))
			.isEqualTo("ws check: header X-Status 'healthy' does not match");
	}

	@Test
	void httpCheckMatchesStatusRangesAndBody() {
		await().atMost(Duration.ofSeconds(5)).until(() -> serverStatus("http", "bad-body-main", httpFailing.port()).equals("DOWN")
				&& serverStatus("http", "bad-status-main", httpBackend.port()).equals("DOWN"));
		assertThat(serverStatus("http", "good-main", httpBackend.port())).as("404 in [400,499], body has 'success'")
			.isEqualTo("UP");
		assertThat(serverDetail("http", "bad-status-main", httpBackend.port(), "lastFailure"))
			.isEqualTo("http check: status 404 not in [[200,399]]");
		assertThat(serverDetail("http", "bad-body-main", httpFailing.port(), "lastFailure"))
			.isEqualTo("http check: body does not match /succ?ess$/");
		assertThat(httpBackend.lastHandshake().uri()).isEqualTo("/healthz");
	}

	@Test
	void hangingServerTimesOutWithoutDelayingTheChecksOfOthers() {
		await().atMost(Duration.ofSeconds(5))
			.until(() -> serverStatus("hanging", "proxy-main", hanging.getLocalPort()).equals("DOWN"));
		assertThat(serverDetail("hanging", "proxy-main", hanging.getLocalPort(), "lastFailure"))
			.isEqualTo("no answer within 1000ms");
		// While the hanging probe waits a full second, the other server is checked every 100ms.
		int before = Integer.parseInt(serverDetail("hanging", "proxy-main", steady.port(), "consecutiveSuccesses"));
		await().atMost(Duration.ofMillis(900)).until(
				() -> Integer.parseInt(serverDetail("hanging", "proxy-main", steady.port(), "consecutiveSuccesses")) >= before + 3);
	}

	@Test
	void poolWithNoHealthyServerAnswers503AndTheGatewayReportsDown() throws Exception {
		lonely.refuseWith(500);
		await().atMost(Duration.ofSeconds(5)).until(() -> poolStatus("lonely", "proxy-main").equals("DOWN"));
		RawHttp.Response response = RawHttp.send(gateway.port("edge"), "GET /lonely HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isEqualTo(503);
		assertThat(response.body()).isEqualTo("no available backend server\n");
		String health = gateway.management("/actuator/health");
		assertThat((String) JsonPath.read(health, "$.components.wsgate.status")).isEqualTo("DOWN");
		assertThat((String) JsonPath.read(gateway.management("/actuator/health/liveness"), "$.status")).isEqualTo("UP");
		assertThat((String) JsonPath.read(gateway.management("/actuator/health/readiness"), "$.status")).isEqualTo("UP");
		lonely.refuseWith(0);
		await().atMost(Duration.ofSeconds(5)).until(() -> poolStatus("lonely", "proxy-main").equals("UP"));
	}

	@Test
	void failedDialsTakeAServerOutWithoutActiveChecksUntilTheBackoffEnds() throws Exception {
		// First session: the closed server fails, the steady one takes it.
		assertThat(sessionsTo(steady, "/passive", 1)).isEqualTo(1);
		assertThat(serverStatus("passive", "proxy-main", closedPort)).isEqualTo("DOWN");
		assertThat(serverDetail("passive", "proxy-main", closedPort, "lastFailure")).startsWith("dial failed:");
		assertThat(serverDetail("passive", "proxy-main", closedPort, "takenOutUntil")).isNotEqualTo("null");

		// A single-server pool: 502 for the failed dial, then 503 while it is out, then tried again.
		String handshake = "GET /passive-single HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;
		assertThat(RawHttp.send(gateway.port("edge"), handshake).status()).isEqualTo(502);
		assertThat(RawHttp.send(gateway.port("edge"), handshake).status()).isEqualTo(503);
		await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(200))
			.until(() -> RawHttp.send(gateway.port("edge"), handshake).status() == 502);
	}

	@Test
	void aServerTakenOutInTrafficIsBackWithinTwoCheckIntervalsOfItsRestart() throws Exception {
		String handshake = "GET /revived HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;
		await().atMost(Duration.ofSeconds(5)).until(() -> serverStatus("revived", "proxy-main", revived.port()).equals("UP"));
		revived.stop();
		assertThat(RawHttp.send(gateway.port("edge"), handshake).status()).isEqualTo(502);
		assertThat(serverDetail("revived", "proxy-main", revived.port(), "takenOutUntil"))
			.as("taken out for the 10s default back-off").isNotEqualTo("null");

		revived.restart();
		// Two 1s check intervals, and a little room for a busy machine; the back-off alone would take 10s.
		await().atMost(Duration.ofMillis(2 * 1000 + 2500)).pollInterval(Duration.ofMillis(100))
			.until(() -> RawHttp.send(gateway.port("edge"), handshake).status() == 101);
		assertThat(serverStatus("revived", "proxy-main", revived.port())).isEqualTo("UP");
	}

	@Test
	void aWebSocketCheckAnswered101WithoutAValidHandshakeFails() {
		await().atMost(Duration.ofSeconds(5))
			.until(() -> serverStatus("broken", "proxy-main", broken101.getLocalPort()).equals("DOWN"));
		assertThat(serverDetail("broken", "proxy-main", broken101.getLocalPort(), "lastFailure"))
			.startsWith("ws check: invalid handshake: ");
	}

	@Test
	void checksStopWithTheGateway() throws Exception {
		TestBackend probed = new TestBackend();
		Gateway own = Gateway.start("""
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${probed}"}]
				              healthCheck: {interval: 50ms, ws: {uri: /}}
				""", Map.of("probed", probed.port()));
		await().atMost(Duration.ofSeconds(5)).until(() -> probed.handshakes.size() >= 3);
		own.close();
		int afterClose = probed.handshakes.size();
		// At most the probe that was under way finishes; then nothing for six intervals.
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> probed.handshakes.size() <= afterClose + 1);
		probed.close();
	}


}
