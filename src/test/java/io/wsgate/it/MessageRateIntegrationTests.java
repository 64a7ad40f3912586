package io.wsgate.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A RateLimiter's {@code messages}: {@code pause} holds the client's messages until they are due
 * (every one delivered, in order, at the rate), {@code close} ends the session with 1008 to the
 * client and 1001 to the backend. A fragmented message counts once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageRateIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.pipeline("path: /pause", "pause", """
					- {kind: RateLimiter, name: limiter, messages: {perSecond: 50, burst: 10, action: pause}}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("path: /close", "close", """
					- {kind: RateLimiter, name: limiter, messages: {perSecond: 0.1, burst: 3, action: close}}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("path: /slow", "slow", """
					- {kind: RateLimiter, name: limiter, messages: {perSecond: 2, burst: 1}}
					- kind: WebSocketProxy
					  name: proxy
					  pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}], pingInterval: 100ms, pingTimeout: 100ms}]
					""")
			.start(Map.of("backend", backend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@BeforeEach
	void forgetSessions() {
		backend.sessions.clear();
	}

	@Test
	void pauseDeliversEveryMessageInOrderAtTheRate() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/pause"))) {
			TestBackend.Session session = backend.nextSession();
			List<String> sent = IntStream.range(0, 100).mapToObj(i -> "message " + i).toList();
			long start = System.nanoTime();
			// In one write: the gateway reads many frames at once, and must hold those not yet due.
			client.send(sent.stream().map(TextWebSocketFrame::new).toArray(WebSocketFrame[]::new));

			List<String> atBackend = new ArrayList<>();
			for (int i = 0; i < sent.size(); i++) {
				atBackend.add(session.nextFrame().text());
			}
			Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

			assertThat(atBackend).containsExactlyElementsOf(sent);
			// A burst of 10 at once, then 50 a second: the other 90 take 1.8s at least.
			assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(90 * 1000 / 50));
			List<String> echoed = new ArrayList<>();
			for (int i = 0; i < sent.size(); i++) {
				echoed.add(client.nextText());
			}
			assertThat(echoed).containsExactlyElementsOf(sent);
		}
	}

	@Test
	void aClientHeldLongerThanTheKeepaliveAllowsIsNotTakenForDead() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/slow"))) {
			TestBackend.Session session = backend.nextSession();
			client.send(new TextWebSocketFrame("a"), new TextWebSocketFrame("b"), new TextWebSocketFrame("c"));

			// Each held for 500ms, longer than pingInterval + pingTimeout: its pongs wait behind them.
			assertThat(List.of(nextMessage(session), nextMessage(session), nextMessage(session)))
				.containsExactly("a", "b", "c");
			assertThat(client.closeStatus).isNotDone();
		}
	}

	@Test
	void closeEndsTheSessionWith1008ToTheClientAnd1001ToTheBackend() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/close"))) {
			TestBackend.Session session = backend.nextSession();
			// Three messages, the burst: the second comes in three frames and counts once.
			client.sendText("one");
			client.send(new TextWebSocketFrame(false, 0, "tw"),
					new ContinuationWebSocketFrame(false, 0, Unpooled.copiedBuffer("o", StandardCharsets.UTF_8)),
					new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("!", StandardCharsets.UTF_8)));
			client.sendText("three");
			List<String> atBackend = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				atBackend.add(session.nextFrame().text());
			}
			assertThat(atBackend).containsExactly("one", "tw", "o", "!", "three");

			client.sendText("four");

			WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(5));
			assertThat(atClient.code()).isEqualTo(1008);
			assertThat(atClient.reasonText()).isEqualTo("client message rate exceeded");
			WebSocketCloseStatus atBackendClose = session.closeStatus.get(5, TimeUnit.SECONDS);
			assertThat(atBackendClose.code()).isEqualTo(1001);
			assertThat(session.frames).isEmpty();
		}
	}

	/** The backend's next data frame, past the gateway's keepalive pings. */
	private static String nextMessage(TestBackend.Session session) throws InterruptedException {
		TestBackend.Frame frame = session.nextFrame();
		while (frame.type().equals("ping") || frame.type().equals("pong")) {
			frame = session.nextFrame();
		}
		return frame.text();
	}
}
