package io.wsgate.it;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.search.Search;
import io.wsgate.metrics.WsgateMeters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Meters, the status endpoint, the access log and the dashboard, checked after real sessions. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTests {

	private static final String POOL = "websocketproxy#proxy#main";

	private final TestBackend backend = new TestBackend();

	private final TestBackend refusing = new TestBackend().refuseWith(403);

	private final int closedPort = Sockets.closedPort();

	private Gateway gateway;

	private MeterRegistry registry;

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
				            - {path: /down, backend: down}
				  pipelines:
				    - name: echo
				      filters:
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
				    - name: refused
				      filters:
				        - {kind: WebSocketProxy, name: refusing, pools: [{servers: [{url: "ws://127.0.0.1:${refusing}"}]}]}
				    - name: down
				      filters:
				        - {kind: WebSocketProxy, name: down, pools: [{servers: [{url: "ws://127.0.0.1:${closed}"}]}]}
				""", Map.of("backend", backend.port(), "refusing", refusing.port(), "closed", closedPort));
		registry = gateway.bean(MeterRegistry.class);
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
		refusing.close();
	}

	@org.junit.jupiter.api.BeforeEach
	void noSessionLeftOpen() {
		// Sessions of an earlier test end asynchronously after their client closed.
		await().atMost(Duration.ofSeconds(5)).until(() -> Search.in(registry).name("wsgate.sessions.active").gauges().stream()
			.mapToDouble(g -> g.value()).sum() == 0);
	}

	private double count(String name, String... tags) {
		return Search.in(registry).name(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
	}

	private long handshakes() {
		return Search.in(registry).name("wsgate.handshake.duration").tags("pool", POOL).timers().stream()
			.mapToLong(timer -> timer.count()).sum();
	}

	private double gauge(String name, String... tags) {
		return Search.in(registry).name(name).tags(tags).gauge().value();
	}

	@Test
	void sessionMetersCountMessagesBytesClosesAndOutcomes(CapturedOutput output) throws Exception {
		double upgradedBefore = count("wsgate.sessions", "outcome", "upgraded", "pool", POOL);
		double textUpBefore = count("wsgate.messages", "pool", POOL, "direction", "upstream", "type", "text");
		double bytesDownBefore = count("wsgate.bytes", "pool", POOL, "direction", "downstream", "type", "binary");
		double closesBefore = count("wsgate.closes", "pool", POOL, "code", "4xxx", "initiator", "client");
		long timerBefore = handshakes();

		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws?token=s3cr3t"),
				Map.of("Authorization", "Bearer t0p-s3cr3t"), null);
		await().atMost(Duration.ofSeconds(5)).until(() -> gauge("wsgate.sessions.active", "pool", POOL) == 1);
		for (int i = 0; i < 3; i++) {
			client.sendText("hello");
			client.nextFrame();
		}
		// A long session's traffic shows while it is still open (the meters are fed every second).
		await().atMost(Duration.ofSeconds(3))
			.until(() -> count("wsgate.messages", "pool", POOL, "direction", "upstream", "type", "text") == textUpBefore + 3);
		client.sendBinary(new byte[] { 1, 2, 3, 4 });
		client.nextFrame();
		client.close(4001, "bye");
		await().atMost(Duration.ofSeconds(5)).until(() -> gauge("wsgate.sessions.active", "pool", POOL) == 0);

		assertThat(count("wsgate.sessions", "outcome", "upgraded", "pool", POOL)).isEqualTo(upgradedBefore + 1);
		assertThat(count("wsgate.messages", "pool", POOL, "direction", "upstream", "type", "text")).isEqualTo(textUpBefore + 3);
		assertThat(count("wsgate.bytes", "pool", POOL, "direction", "downstream", "type", "binary")).isEqualTo(bytesDownBefore + 4);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count("wsgate.closes", "pool", POOL, "code", "4xxx", "initiator", "client") == closesBefore + 1);
		assertThat(handshakes()).isEqualTo(timerBefore + 1);

		// The access log line: who, where, traffic and close, but no query string and no header value.
		await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("closeCode=4001"));
		String line = output.getOut().lines().filter(l -> l.contains("wsgate.access") && l.contains("closeCode=4001"))
			.findFirst().orElseThrow();
		assertThat(line).contains("client=127.0.0.1", "path=/ws ", "pipeline=echo", "pool=" + POOL,
				"server=ws://127.0.0.1:" + backend.port(), "status=101", "outcome=upgraded", "messagesUp=4", "bytesUp=19",
				"messagesDown=4", "bytesDown=19", "closedBy=client");
		assertThat(line).doesNotContain("s3cr3t");
	}

	@Test
	void refusedAndFailedHandshakesAreCountedByOutcomeAndReason() throws Exception {
		double refused = count("wsgate.sessions", "outcome", "backend_refused");
		double unreachable = count("wsgate.sessions", "outcome", "backend_unreachable");
		double rejected = count("wsgate.sessions", "outcome", "rejected");
		double connectErrors = count("wsgate.backend.errors", "pool", "websocketproxy#down#main", "reason", "connect");
		double handshakeErrors = count("wsgate.backend.errors", "pool", "websocketproxy#refusing#main", "reason", "handshake");

		String upgrade = " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;
		assertThat(RawHttp.send(gateway.port("edge"), "GET /refused" + upgrade).status()).isEqualTo(403);
		assertThat(RawHttp.send(gateway.port("edge"), "GET /down" + upgrade).status()).isEqualTo(502);
		assertThat(RawHttp.send(gateway.port("edge"), "GET /ws HTTP/1.1\r\nHost: gw\r\n").status()).isEqualTo(426);

		assertThat(count("wsgate.sessions", "outcome", "backend_refused")).isEqualTo(refused + 1);
		assertThat(count("wsgate.sessions", "outcome", "backend_unreachable")).isEqualTo(unreachable + 1);
		assertThat(count("wsgate.sessions", "outcome", "rejected")).isEqualTo(rejected + 1);
		assertThat(count("wsgate.backend.errors", "pool", "websocketproxy#down#main", "reason", "connect"))
			.isEqualTo(connectErrors + 1);
		assertThat(count("wsgate.backend.errors", "pool", "websocketproxy#refusing#main", "reason", "handshake"))
			.isEqualTo(handshakeErrors + 1);
		// the failed dial took the server out (passive health): the health gauge says so
		assertThat(gauge("wsgate.server.healthy", "pool", "websocketproxy#down#main")).isEqualTo(0);
		assertThat(gauge("wsgate.server.healthy", "pool", POOL)).isEqualTo(1);
	}

	@Test
	void theMetersOfSessionsAndFailedHandshakesAreThoseOfTheCatalogue() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			client.sendText("x");
			client.nextFrame();
			client.sendBinary(new byte[] { 1 });
			client.nextFrame();
		}
		String upgrade = " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;
		// 502, or 503 once an earlier test's failed dial took the server out.
		assertThat(RawHttp.send(gateway.port("edge"), "GET /down" + upgrade).status()).isIn(502, 503);
		await().atMost(Duration.ofSeconds(5)).until(() -> count("wsgate.closes", "pool", POOL) > 0);

		Set<WsgateMeters> seen = EnumSet.noneOf(WsgateMeters.class);
		for (Meter meter : registry.getMeters()) {
			Meter.Id id = meter.getId();
			if (!id.getName().startsWith("wsgate.")) {
				continue;
			}
			WsgateMeters documented = WsgateMeters.named(id.getName());
			assertThat(documented).as("%s is in the catalogue (WsgateMeters)", id.getName()).isNotNull();
			seen.add(documented);
			assertThat(id.getTags()).extracting(Tag::getKey)
				.as(id.getName())
				.containsExactlyInAnyOrderElementsOf(documented.tagKeyNames());
			documented.tagValues()
				.forEach((key, values) -> assertThat(values).as(id.toString()).contains(id.getTag(key.asString())));
		}
		// Only the RateLimiter's Redis store and dnsRefresh make the others.
		assertThat(seen).containsAll(EnumSet.complementOf(EnumSet.of(WsgateMeters.RATELIMIT_STORE_ERRORS,
				WsgateMeters.DNS_FAILURES)));
	}

	@Test
	void prometheusScrapeHasTheMetersUnderTheirPrometheusNames() {
		String scrape = gateway.management("/actuator/prometheus");
		assertThat(scrape).contains("wsgate_sessions_active{", "wsgate_sessions_total{", "wsgate_messages_total{",
				"wsgate_bytes_total{", "wsgate_backend_errors_total{", "wsgate_server_healthy{",
				"wsgate_handshake_duration_seconds_bucket{");
	}

	@Test
	void statusEndpointShowsServersSessionsAndTotals() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			client.sendText("x");
			client.nextFrame();
			String json = gateway.management("/actuator/wsgate");
			assertThat((Integer) JsonPath.read(json, "$.httpServers[0].port")).isEqualTo(gateway.port("edge"));
			assertThat((String) JsonPath.read(json, "$.httpServers[0].rules[0].paths[0].backend")).isEqualTo("echo");
			String server = "$.pipelines[?(@.name == 'echo')].pools[0].servers[0]";
			assertThat(JsonPath.<List<Object>>read(json, server + ".url")).containsExactly("ws://127.0.0.1:" + backend.port());
			assertThat(JsonPath.<List<Object>>read(json, server + ".status")).containsExactly("UP");
			assertThat(JsonPath.<List<Object>>read(json, server + ".activeSessions")).containsExactly(1);
			assertThat((Integer) JsonPath.read(json, "$.totals.activeSessions")).isEqualTo(1);
			assertThat((Integer) JsonPath.read(json, "$.totals.sessions.upgraded")).isGreaterThanOrEqualTo(1);
			assertThat((Integer) JsonPath.read(json, "$.uptimeSeconds")).isGreaterThanOrEqualTo(0);
			assertThat((String) JsonPath.read(json, "$.build.version")).isEqualTo(System.getProperty("test.project-version"));
		}
	}

	@Test
	void infoShowsTheBuildAndTheCommitItWasBuiltFrom() throws Exception {
		String json = gateway.management("/actuator/info");
		assertThat((String) JsonPath.read(json, "$.build.version")).isEqualTo(System.getProperty("test.project-version"))
			.doesNotEndWith("-SNAPSHOT");
		assertThat((String) JsonPath.read(json, "$.build.time")).isNotBlank();
		assertThat((String) JsonPath.read(json, "$.java.version")).isNotBlank();
		Properties git = new Properties();
		try (InputStream in = getClass().getResourceAsStream("/git.properties")) {
			// Absent from a build without .git (or in a linked worktree, see pom.xml): then so is the section.
			if (in == null) {
				assertThat(json).doesNotContain("\"git\"");
				return;
			}
			git.load(in);
		}
		assertThat((String) JsonPath.read(json, "$.git.commit.id")).isEqualTo(git.getProperty("git.commit.id.abbrev"));
		assertThat((String) JsonPath.read(json, "$.git.commit.time")).isNotBlank();
	}

	@Test
	void dashboardRendersServersAndTheOpenSessionInABrowser(@TempDir Path profile) throws Exception {
		Chromium chromium = Chromium.require(profile);
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			client.sendText("x");
			client.nextFrame();
			String dom = chromium.dumpDom("http://127.0.0.1:" + gateway.managementPort() + "/actuator/dashboard");
			String row = "data-server=\"ws://127.0.0.1:" + backend.port() + "\"";
			assertThat(dom).contains(row);
			String rowHtml = dom.substring(dom.indexOf(row), dom.indexOf("</tr>", dom.indexOf(row)));
			assertThat(rowHtml).contains("class=\"dot UP\"").containsPattern("active-sessions\">1<");
			assertThat(dom).contains("class=\"live ok\"");
		}
	}

}
