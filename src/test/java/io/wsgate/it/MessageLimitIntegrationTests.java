package io.wsgate.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** clientMaxMsgSize and serverMaxMsgSize: 1009 to the sender, a proper close to the other side. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageLimitIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /small-client", "small-client", "ws://127.0.0.1:${backend}", "clientMaxMsgSize: 100")
			.proxy("path: /small-server", "small-server", "ws://127.0.0.1:${backend}",
					"clientMaxMsgSize: 1000, serverMaxMsgSize: 100")
			.proxy("path: /default", "default-limits", "ws://127.0.0.1:${backend}")
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
	void messageAtTheLimitPasses() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/small-client"))) {
			client.sendText("x".repeat(100));
			assertThat(client.nextText()).hasSize(100);
		}
	}

	@Test
	void clientMessageOverTheLimitCloses1009ToClientAnd1001ToBackend() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/small-client"));
		TestBackend.Session session = backend.nextSession();
		client.sendText("x".repeat(101));
		assertThat(client.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
		WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(1001);
		assertThat(atBackend.reasonText()).isEqualTo("client message too big");
		assertThat(session.frames).isEmpty();
	}

	@Test
	void fragmentedClientMessageOverTheLimitIsCaughtAcrossFrames() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/small-client"));
		TestBackend.Session session = backend.nextSession();
		client.send(new TextWebSocketFrame(false, 0, "a".repeat(60)),
				new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("b".repeat(60), StandardCharsets.UTF_8)));
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(5));
		assertThat(atClient.code()).isEqualTo(1009);
		assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1001);
	}

	@Test
	void backendMessageOverTheLimitCloses1009ToBackendAnd1001ToClient() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/small-server"));
		TestBackend.Session session = backend.nextSession();
		client.sendText("y".repeat(150));
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(5));
		assertThat(atClient.code()).isEqualTo(1001);
		assertThat(atClient.reasonText()).isEqualTo("backend message too big");
		assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1009);
	}

	@Test
	void defaultLimitIs32769Bytes() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/default"))) {
			client.sendText("z".repeat(32769));
			assertThat(client.nextText()).hasSize(32769);
		}
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/default"));
		client.sendText("z".repeat(32770));
		assertThat(client.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
	}

	@Test
	void gatewayKeepsServingOtherSessionsAfterAnOversizedMessage() throws Exception {
		try (TestClient bystander = TestClient.connect(gateway.wsUrl("edge", "/small-client"))) {
			TestClient offender = TestClient.connect(gateway.wsUrl("edge", "/small-client"));
			offender.sendText("x".repeat(500));
			assertThat(offender.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
			bystander.sendText("still fine");
			assertThat(bystander.nextText()).isEqualTo("still fine");
		}
	}
}
