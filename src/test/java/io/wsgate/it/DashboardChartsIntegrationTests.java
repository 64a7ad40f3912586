package io.wsgate.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.wsgate.status.TrafficSampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The traffic history behind the dashboard's charts, sampled from real sessions and handshakes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardChartsIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private final TestBackend refusing = new TestBackend().refuseWith(403);

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = Gateway.start("""
				wsgate:
				  http-servers:
				    - name: edge
				      port: 0
				      rules:
				        - paths:
				            - {path: /ws, backend: echo}
				            - {path: /refused, backend: refused}
				  pipelines:
				    - name: echo
				      filters:
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
				    - name: refused
				      filters:
				        - {kind: WebSocketProxy, name: refusing, pools: [{servers: [{url: "ws://127.0.0.1:${refusing}"}]}]}
				""", Map.of("backend", backend.port(), "refusing", refusing.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
		refusing.close();
	}

	@Test
	void historyHasOneSampleASecondOfSessionsAndRatesFromTheCounters() throws Exception {
		try (TestClient client = trafficAndARefusal()) {
			String json = gateway.management("/actuator/wsgate/history");
			assertThat((Integer) JsonPath.read(json, "$.intervalMillis")).isEqualTo(1000);
			assertThat((Integer) JsonPath.read(json, "$.capacity")).isEqualTo(900);
			List<Number> times = JsonPath.read(json, "$.time");
			assertThat(times).hasSizeGreaterThanOrEqualTo(2).hasSizeLessThanOrEqualTo(900);
			for (int i = 1; i < times.size(); i++) {
				long step = times.get(i).longValue() - times.get(i - 1).longValue();
				// One a second; a loaded machine may delay a reading, never bunch two together.
				assertThat(step).isBetween(900L, 5000L);
			}
			for (String series : List.of("activeSessions", "messagesPerSecond", "handshakesPerSecond", "refusalsPerSecond")) {
				assertThat(JsonPath.<List<Object>>read(json, "$." + series)).as(series).hasSameSizeAs(times);
			}
		}
	}

	@Test
	void aPartOtherThanHistoryIsNotFound() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.managementPort() + "/actuator/wsgate/nothing"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
	}

	@Test
	void samplingStartsAndStopsWithTheApplication() {
		long before = samplerThreads();
		Gateway another = Gateway.start("""
				wsgate:
				  http-servers: []
				  pipelines: []
				""");
		TrafficSampler sampler = another.bean(TrafficSampler.class);
		try {
			assertThat(sampler.isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(() -> samplerThreads() == before + 1);
		}
		finally {
			another.close();
		}
		assertThat(sampler.isRunning()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> samplerThreads() == before);
	}

	/**
	 * Holds a session open after some messages and one refused handshake, and waits until the history
	 * shows all of them: messages reach the counters once a second, and a reading takes a second.
	 */
	private TestClient trafficAndARefusal() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		for (int i = 0; i < 5; i++) {
			client.sendText("m" + i);
			client.nextFrame();
		}
		String upgrade = " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;
		assertThat(RawHttp.send(gateway.port("edge"), "GET /refused" + upgrade).status()).isEqualTo(403);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			String json = gateway.management("/actuator/wsgate/history");
			List<Number> active = JsonPath.read(json, "$.activeSessions");
			return !active.isEmpty() && active.get(active.size() - 1).intValue() == 1 && anyAboveZero(json, "messagesPerSecond")
					&& anyAboveZero(json, "handshakesPerSecond") && anyAboveZero(json, "refusalsPerSecond");
		});
		return client;
	}

	private static boolean anyAboveZero(String json, String series) {
		return JsonPath.<List<Number>>read(json, "$." + series).stream().anyMatch(n -> n.doubleValue() > 0);
	}

	private static long samplerThreads() {
		return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("wsgate-traffic-history")).count();
	}
}
