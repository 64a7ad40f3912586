package io.wsgate.filter.validator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.it.Gateway;
import io.wsgate.it.GatewayYaml;
import io.wsgate.it.TestBackend;
import io.wsgate.it.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Validator's {@code firstMessage} with the proxy that enforces it: the handshake carries no
 * token, the client's first message does (as text or as JSON), and only a valid one gets a backend,
 * dialled with the token's claims as headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ValidatorFirstMessageIntegrationTests {

	private static final String SECRET = ValidatorConfigTests.SECRET;

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.pipeline("path: /chat", "chat", """
					- kind: Validator
					  name: auth
					  jwt: {algorithm: HS256, secret: "${secret}", claimsToHeaders: {sub: X-User-Id}}
					  firstMessage: {timeout: 500ms}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("path: /forward", "forward", """
					- kind: Validator
					  name: auth
					  jwt: {algorithm: HS256, secret: "${secret}", claimsToHeaders: {sub: X-User-Id}}
					  firstMessage: {timeout: 5s, forward: true}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.pipeline("path: /expiring", "expiring", """
					- kind: Validator
					  name: auth
					  jwt: {algorithm: HS256, secret: "${secret}", clockSkew: 1s, closeOnExpiry: true}
					  firstMessage: {timeout: 5s}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.start(Map.of("backend", backend.port(), "secret", SECRET));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@BeforeEach
	void forget() {
		backend.sessions.clear();
		backend.handshakes.clear();
	}

	@Test
	void aValidTokenAsJsonOpensTheSessionWithTheClaimAndTheTokenStaysInTheGateway() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat"), Map.of("X-User-Id", "admin"), null)) {
			client.sendText("{\"token\": \"" + token("alice", Instant.now().plusSeconds(60)) + "\"}");
			TestBackend.Session session = backend.nextSession();
			assertThat(backend.lastHandshake().headers().getAll("X-User-Id")).containsExactly("alice");
			client.sendText("hello");
			assertThat(client.nextText()).isEqualTo("hello");
			assertThat(session.nextFrame().text()).isEqualTo("hello");
			assertThat(session.frames).isEmpty();
		}
	}

	@Test
	void withForwardTheTokenMessageAlsoReachesTheBackend() throws Exception {
		String token = token("bob", Instant.now().plusSeconds(60));
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/forward"))) {
			client.sendText(token);
			TestBackend.Session session = backend.nextSession();
			assertThat(backend.lastHandshake().headers().get("X-User-Id")).isEqualTo("bob");
			assertThat(session.nextFrame().data()).isEqualTo(token.getBytes(StandardCharsets.UTF_8));
			assertThat(client.nextText()).isEqualTo(token);
		}
	}

	@Test
	void noFirstMessageInTimeCloses1008WithoutABackend() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat"));
		WebSocketCloseStatus status = client.awaitClose(Duration.ofSeconds(10));
		assertThat(status.code()).isEqualTo(1008);
		assertThat(backend.handshakes).isEmpty();
	}

	@Test
	void aMalformedOrExpiredFirstMessageCloses1008WithoutABackend(CapturedOutput output) throws Exception {
		TestClient malformed = TestClient.connect(gateway.wsUrl("edge", "/chat"));
		malformed.sendText("let me in");
		WebSocketCloseStatus status = malformed.awaitClose(Duration.ofSeconds(10));
		assertThat(status.code()).isEqualTo(1008);
		assertThat(status.reasonText()).isEqualTo("malformed first message");

		String expired = token("carol", Instant.now().minusSeconds(3600));
		TestClient late = TestClient.connect(gateway.wsUrl("edge", "/chat"));
		late.sendText(expired);
		WebSocketCloseStatus expiredStatus = late.awaitClose(Duration.ofSeconds(10));
		assertThat(expiredStatus.code()).isEqualTo(1008);
		assertThat(expiredStatus.reasonText()).isEqualTo("expired token");
		assertThat(backend.handshakes).isEmpty();
		await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("expired token"));
		assertThat(output.getAll()).doesNotContain(expired).doesNotContain(SECRET);
	}

	@Test
	void aTokenFromTheFirstMessageThatExpiresClosesTheSession1008ToTheClientAnd1001ToTheBackend() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/expiring"));
		client.sendText(token("dora", Instant.now().plusSeconds(3)));
		TestBackend.Session session = backend.nextSession();
		client.sendText("while valid");
		assertThat(client.nextText()).isEqualTo("while valid");

		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(10));
		assertThat(atClient.code()).isEqualTo(1008);
		assertThat(atClient.reasonText()).isEqualTo("token expired");
		assertThat(session.closeStatus.get(5, java.util.concurrent.TimeUnit.SECONDS).code()).isEqualTo(1001);
	}

	private static String token(String subject, Instant expiry) {
		return TestTokens.hs256(SECRET, TestTokens.claims(subject, expiry).build());
	}
}
