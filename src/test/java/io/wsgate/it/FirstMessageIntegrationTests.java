package io.wsgate.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.it.TestBackend.Frame;
import io.wsgate.it.WireClient.WireFrame;
import io.wsgate.proxy.session.SessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import wsgate.testkinds.FirstMessageTokenKind;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A first-message check (the token as the client's first message): the client is upgraded first,
 * and only a valid first message gets it a backend, dialled with the identity the check found. The
 * check is the test kind {@link FirstMessageTokenKind}: "let-me-in" or {"token":"let-me-in"}, which
 * sets X-User-Id: alice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class FirstMessageIntegrationTests {

	private static final String TOKEN = FirstMessageTokenKind.TOKEN;

	private final TestBackend echo = new TestBackend();

	private final TestBackend choosing = new TestBackend().selectFirstSubprotocol();

	private final TestBackend second = new TestBackend();

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
				            - {path: /chat, backend: chat}
				            - {path: /quick, backend: quick}
				            - {path: /forward, backend: forward}
				            - {path: /big, backend: big}
				            - {path: /one, backend: one}
				            - {path: /down, backend: down}
				            - {path: /choosing, backend: choosing}
				            - {path: /hashed, backend: hashed}
				  pipelines:
				    - name: chat
				      filters:
				        - {kind: FirstMessageToken, name: auth}
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}], pingInterval: 0s}]}
				    - name: quick
				      filters:
				        - {kind: FirstMessageToken, name: auth, timeout: 300ms}
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}]}]}
				    - name: forward
				      filters:
				        - {kind: FirstMessageToken, name: auth, forward: true}
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}]}]}
				    - name: big
				      filters:
				        - {kind: FirstMessageToken, name: auth}
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}], clientMaxMsgSize: 200000}]}
				    - name: one
				      filters:
				        - {kind: FirstMessageToken, name: auth}
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}], maxSessions: 1}]}
				    - name: down
				      filters:
				        - {kind: FirstMessageToken, name: auth}
				        - kind: WebSocketProxy
				          name: proxy
				          pools: [{servers: [{url: "ws://127.0.0.1:${closed}"}], passiveHealthCheck: {enabled: false}}]
				    - name: hashed
				      filters:
				        - {kind: FirstMessageToken, name: auth}
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${echo}"}, {url: "ws://127.0.0.1:${second}"}]
				              loadBalance: {policy: headerHash, headerHashKey: X-User-Id}
				    - name: choosing
				      filters:
				        - {kind: FirstMessageToken, name: auth}
				        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${choosing}"}]}]}
				""", Map.of("echo", echo.port(), "choosing", choosing.port(), "second", second.port(), "closed", closedPort,
				"spring.main.sources", FirstMessageTokenKind.class.getName()));
		registry = gateway.bean(MeterRegistry.class);
	}

	@AfterAll
	void stop() {
		gateway.close();
		echo.close();
		choosing.close();
		second.close();
	}

	@BeforeEach
	void forgetSessions() {
		echo.sessions.clear();
		echo.handshakes.clear();
		choosing.sessions.clear();
		choosing.handshakes.clear();
		second.handshakes.clear();
	}

	@Test
	void aValidFirstMessageOpensASessionThatRelaysBothWaysWithTheIdentityOfTheCheck() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat"), Map.of("X-User-Id", "mallory"), null)) {
			assertThat(echo.handshakes).as("no backend before the first message").isEmpty();
			client.sendText(TOKEN);
			TestBackend.Session session = echo.nextSession();
			HttpHeaders seen = echo.lastHandshake().headers();
			assertThat(seen.getAll("X-User-Id")).containsExactly("alice");

			byte[] binary = new byte[3000];
			new java.util.Random(7).nextBytes(binary);
			client.sendText("hello ✓");
			client.sendBinary(binary);
			assertThat(session.nextFrame()).isEqualTo(new Frame("text", "hello ✓".getBytes(StandardCharsets.UTF_8), true));
			assertThat(session.nextFrame()).isEqualTo(new Frame("binary", binary, true));
			assertThat(client.nextFrame()).isEqualTo(new Frame("text", "hello ✓".getBytes(StandardCharsets.UTF_8), true));
			assertThat(client.nextFrame()).isEqualTo(new Frame("binary", binary, true));
			assertThat(session.frames).as("without forward the token stays in the gateway").isEmpty();
		}
	}

	@Test
	void theTokenMayComeAsJsonAndInFragments() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			client.write(WireClient.masked(0x01, "{\"token\":".getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x80, ("\"" + TOKEN + "\"}").getBytes(StandardCharsets.UTF_8)));
			echo.nextSession();
			client.sendText("after");
			assertThat(client.read().text()).isEqualTo("after");
		}
	}

	@Test
	void messagesSentRightAfterTheFirstArriveInOrder() throws Exception {
		List<byte[]> frames = new ArrayList<>();
		frames.add(WireClient.masked(0x81, TOKEN.getBytes(StandardCharsets.UTF_8)));
		for (int i = 0; i < 50; i++) {
			frames.add(WireClient.masked(0x81, ("m" + i).getBytes(StandardCharsets.UTF_8)));
		}
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			// The token and fifty messages in one write: they reach the gateway before any backend exists.
			client.write(frames.toArray(byte[][]::new));
			TestBackend.Session session = echo.nextSession();
			for (int i = 0; i < 50; i++) {
				assertThat(session.nextFrame().text()).isEqualTo("m" + i);
			}
			for (int i = 0; i < 50; i++) {
				assertThat(client.read().text()).isEqualTo("m" + i);
			}
		}
	}

	@Test
	void aCloseSentRightAfterTheFirstMessageReachesTheBackendAfterTheMessagesBeforeIt(CapturedOutput output)
			throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			client.write(WireClient.masked(0x81, TOKEN.getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x81, "a".getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x81, "b".getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x88, new byte[] { 0x0F, (byte) 0xA1, 'd', 'o', 'n', 'e' }));
			TestBackend.Session session = echo.nextSession();
			assertThat(session.nextFrame().text()).isEqualTo("a");
			assertThat(session.nextFrame().text()).isEqualTo("b");
			session.disconnected.get(10, TimeUnit.SECONDS);
			// Reactor Netty's server, the test backend, sometimes misses the code of a close that comes
			// right behind its own 101 (before its handler runs): when it saw one, it is the client's.
			WebSocketCloseStatus atBackend = session.closeStatus.getNow(null);
			if (atBackend != null) {
				assertThat(atBackend.code()).isEqualTo(4001);
			}
		}
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output)
			.containsPattern("pipeline=chat .* messagesUp=2 bytesUp=2 .* closeCode=4001 closedBy=client"));
	}

	@Test
	void withForwardTheBackendGetsTheFirstMessageFirst() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/forward")) {
			assertThat(echo.handshakes).isEmpty();
			client.write(WireClient.masked(0x81, TOKEN.getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x81, "next".getBytes(StandardCharsets.UTF_8)));
			TestBackend.Session session = echo.nextSession();
			assertThat(echo.lastHandshake().headers().getAll("X-User-Id")).containsExactly("alice");
			assertThat(session.nextFrame().text()).isEqualTo(TOKEN);
			assertThat(session.nextFrame().text()).isEqualTo("next");
			assertThat(client.read().text()).isEqualTo(TOKEN);
			assertThat(client.read().text()).isEqualTo("next");
		}
	}

	@Test
	void noFirstMessageInTimeIsClosed1008(CapturedOutput output) throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/quick")) {
			long start = System.nanoTime();
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("no valid first message in time");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
		}
		assertThat(echo.handshakes).isEmpty();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output).contains(
				"path=/quick httpServer=edge pipeline=quick pool=websocketproxy#proxy#main server=- subprotocol=- status=101 outcome=first_message_rejected"));
		assertThat(output).contains("closeCode=1008 closedBy=gateway filter=auth reason=\"no valid first message in time\"");
	}

	@Test
	void aWrongTokenIsClosed1008AndNeverShown(CapturedOutput output) throws Exception {
		String secret = "wrong-s3cret-4711";
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			client.sendText(secret);
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("invalid token");
		}
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			client.sendText("{\"token\":\"" + secret + "\"}");
			assertThat(client.readClose().closeCode()).isEqualTo(1008);
		}
		assertThat(echo.handshakes).isEmpty();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output).contains("outcome=first_message_rejected").contains("reason=\"invalid token\""));
		assertThat(output).doesNotContain(secret);
		assertThat(registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()))
			.noneMatch(tag -> tag.getValue().contains(secret));
	}

	@Test
	void aCheckThatFailsClosesWith1011AndLogsNothingOfTheMessage(CapturedOutput output) throws Exception {
		String secret = FirstMessageTokenKind.FAILING + "-s3cret-0815";
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			client.sendText(secret);
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1011);
			assertThat(close.closeReason()).isEqualTo("first message check failed");
		}
		assertThat(echo.handshakes).isEmpty();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output)
			.contains("first-message check of filter 'auth' failed: IllegalStateException")
			.contains("closeCode=1011 closedBy=gateway filter=auth reason=\"first message check failed\""));
		assertThat(output).doesNotContain(secret);
	}

	@Test
	void aBinaryFirstMessageIsClosed1008() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/chat")) {
			client.write(WireClient.masked(0x82, TOKEN.getBytes(StandardCharsets.UTF_8)));
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("first message must be text");
		}
		assertThat(echo.handshakes).isEmpty();
	}

	@Test
	void aFirstMessageOver64KiBIsClosed1009() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/big")) {
			client.sendText("x".repeat(64 * 1024 + 1));
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1009);
			assertThat(close.closeReason()).isEqualTo("first message too big");
		}
		assertThat(echo.handshakes).isEmpty();
	}

	@Test
	void aBackendDownAfterTheUpgradeIsClosed1014(CapturedOutput output) throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/down")) {
			client.sendText(TOKEN);
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1014);
			assertThat(close.closeReason()).isEqualTo("backend unreachable");
		}
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output)
			.contains("pipeline=down pool=websocketproxy#proxy#main server=- subprotocol=- status=101 outcome=backend_unreachable"));
		assertThat(counter("wsgate.sessions", "pipeline", "down", "outcome", "backend_unreachable")).isEqualTo(1);
	}

	@Test
	void loadBalancingHashesTheIdentityTheCheckFoundNotTheClientsCopy() throws Exception {
		List<String> forged = List.of("bob", "carol", "dave", "erin", "frank", "grace");
		for (int i = 0; i < forged.size(); i++) {
			try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hashed"), Map.of("X-User-Id", forged.get(i)),
					null)) {
				client.sendText(TOKEN);
				int sessions = i + 1;
				await().atMost(Duration.ofSeconds(10)).until(() -> echo.handshakes.size() + second.handshakes.size() == sessions);
			}
		}
		assertThat(List.of(echo.handshakes.size(), second.handshakes.size())).as("every session on alice's server")
			.containsExactlyInAnyOrder(0, forged.size());
	}

	@Test
	void theClientIsAnsweredItsFirstSubprotocolWhichIsTheOnlyOneTheBackendIsOffered() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/choosing"), Map.of(), "chat.v2, chat.v1")) {
			assertThat(client.subprotocol()).isEqualTo("chat.v2");
			client.sendText(TOKEN);
			choosing.nextSession();
			assertThat(choosing.lastHandshake().headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v2");
			client.sendText("hi");
			assertThat(client.nextText()).isEqualTo("hi");
		}
	}

	@Test
	void aBackendThatSelectsNoSubprotocolIsClosed1014() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat"), Map.of(), "chat.v2")) {
			assertThat(client.subprotocol()).isEqualTo("chat.v2");
			client.sendText(TOKEN);
			assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1014);
		}
	}

	@Test
	void noCompressionIsNegotiatedBeforeTheBackendIsKnown() throws Exception {
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/chat"))) {
			assertThat(client.responseHeaders().get("Sec-WebSocket-Extensions")).isNull();
			client.sendText(TOKEN);
			echo.nextSession();
			assertThat(echo.lastHandshake().headers().get("Sec-WebSocket-Extensions")).isNull();
			client.sendText("plain");
			assertThat(client.nextText()).isEqualTo("plain");
		}
	}

	@Test
	void failedFirstMessagesGiveTheirPlaceBack() throws Exception {
		SessionRegistry sessions = gateway.bean(SessionRegistry.class);
		for (int i = 0; i < 20; i++) {
			try (WireClient client = WireClient.connect(gateway.port("edge"), "/one")) {
				switch (i % 3) {
					case 0 -> {
						client.sendText("no-" + i);
						assertThat(client.readClose().closeCode()).isEqualTo(1008);
					}
					case 1 -> {
						client.write(WireClient.masked(0x82, new byte[] { 1, 2, 3 }));
						assertThat(client.readClose().closeCode()).isEqualTo(1008);
					}
					default -> {
						// The client leaves while the gateway waits for its first message.
					}
				}
			}
			// The place is the session's until its connection has ended.
			await().atMost(Duration.ofSeconds(5)).until(() -> sessions.active() == 0);
		}
		assertThat(Search.in(registry).name("wsgate.sessions.active").gauges().stream().mapToDouble(g -> g.value()).sum())
			.isZero();
		assertThat(echo.handshakes).isEmpty();
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/one"))) {
			client.sendText(TOKEN);
			echo.nextSession();
			client.sendText("still admitted");
			assertThat(client.nextText()).isEqualTo("still admitted");
		}
		assertThat(counter("wsgate.sessions", "pipeline", "one", "outcome", "first_message_rejected")).isEqualTo(20);
		assertThat(counter("wsgate.sessions", "pipeline", "one", "outcome", "upgraded")).isEqualTo(1);
	}

	@Test
	void theBackendIsClosedWhenTheClientLeavesDuringTheSession() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat"));
		assertThat(echo.handshakes).isEmpty();
		client.sendText(TOKEN);
		TestBackend.Session session = echo.nextSession();
		client.close(4000, "bye");
		assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(4000);
	}

	private double counter(String name, String... tags) {
		return Search.in(registry).name(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
	}
}
