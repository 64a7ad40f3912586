package io.wsgate.filter.validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.jwk.ECKey;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.it.Gateway;
import io.wsgate.it.GatewayYaml;
import io.wsgate.it.RawHttp;
import io.wsgate.it.TestBackend;
import io.wsgate.it.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The Validator in front of a real proxy and real backends: headers (403), JWT from every source
 * with HS256, RS256 (PEM) and ES256 (a JWK set served over HTTP, with key rotation), claims as
 * identity headers that route by headerHash and cannot be forged, closeOnExpiry, and basicAuth
 * against an htpasswd file edited during the run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ValidatorIntegrationTests {

	private static final String SECRET = ValidatorConfigTests.SECRET;

	private final TestBackend backendA = new TestBackend().selectFirstSubprotocol();

	private final TestBackend backendB = new TestBackend().selectFirstSubprotocol();

	private final KeyPair rsa = TestTokens.rsaKeyPair();

	private final ECKey ecOne = TestTokens.ecKey("one");

	private final ECKey ecTwo = TestTokens.ecKey("two");

	private final AtomicReference<String> jwks = new AtomicReference<>(TestTokens.jwkSet(ecOne));

	private final AtomicInteger jwksFetches = new AtomicInteger();

	private DisposableServer identityProvider;

	private Path htpasswd;

	private Gateway gateway;

	@BeforeAll
	void start(@TempDir Path dir) throws IOException {
		identityProvider = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes.get("/jwks.json",
				(request, response) -> {
					jwksFetches.incrementAndGet();
					return response.header("Content-Type", "application/json").sendString(Mono.fromSupplier(jwks::get));
				})).bindNow();
		Path pem = TestTokens.writePem(dir.resolve("jwt.pem"), rsa.getPublic());
		htpasswd = Files.writeString(dir.resolve("htpasswd"), String.join("\n",
				"alice:" + new BCryptPasswordEncoder(4).encode("alice-pw-1"), HtpasswdFileTests.SHA_LINE,
				HtpasswdFileTests.APR1_LINE, HtpasswdFileTests.BCRYPT_2Y_LINE) + "\n");
		gateway = GatewayYaml.edge()
			.pipeline("path: /headers", "headers", """
					- kind: Validator
					  name: auth
					  headers:
					    X-Api-Key: {values: [k1, k2], regexp: "^ok-.+$"}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${a}"}]}]}
					""")
			.pipeline("path: /hs", "hs", """
					- kind: Validator
					  name: auth
					  jwt:
					    algorithm: HS256
					    secret: ${secret}
					    cookieName: auth
					    queryParam: access_token
					    subprotocolPrefix: "bearer."
					    claimsToHeaders: {sub: X-User-Id}
					    clockSkew: 1s
					    closeOnExpiry: true
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${a}"}, {url: "ws://127.0.0.1:${b}"}]
					      loadBalance: {policy: headerHash, headerHashKey: X-User-Id}
					""")
			.pipeline("path: /rs", "rs", """
					- {kind: Validator, name: auth, jwt: {algorithm: RS256, publicKey: "file:${pem}"}}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${a}"}]}]}
					""")
			.pipeline("path: /es", "es", """
					- {kind: Validator, name: auth, jwt: {algorithm: ES256, jwksUri: "http://127.0.0.1:${idp}/jwks.json"}}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${a}"}]}]}
					""")
			.pipeline("path: /basic", "basic", """
					- {kind: Validator, name: auth, basicAuth: {mode: FILE, userFile: "file:${htpasswd}"}}
					- {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:${a}"}]}]}
					""")
			.start(Map.of("a", backendA.port(), "b", backendB.port(), "secret", SECRET, "pem", pem, "idp",
					identityProvider.port(), "htpasswd", htpasswd));
	}

	@AfterAll
	void stop() {
		gateway.close();
		identityProvider.disposeNow(Duration.ofSeconds(5));
		backendA.close();
		backendB.close();
	}

	@BeforeEach
	void forget() {
		backendA.sessions.clear();
		backendB.sessions.clear();
		backendA.handshakes.clear();
		backendB.handshakes.clear();
	}

	@Test
	void everyNamedHeaderMustMatchItsValuesOrRegexpElse403() throws Exception {
		RawHttp.Response missing = handshake("/headers", "");
		assertThat(missing.status()).isEqualTo(403);
		assertThat(missing.body().trim()).isEqualTo("forbidden");
		assertThat(handshake("/headers", "X-Api-Key: k3\r\n").status()).isEqualTo(403);
		assertThat(handshake("/headers", "X-Api-Key: ok-\r\n").status()).isEqualTo(403);
		assertThat(handshake("/headers", "X-Api-Key: k2\r\n").status()).isEqualTo(101);
		assertThat(handshake("/headers", "X-Api-Key: ok-7\r\n").status()).isEqualTo(101);
		assertThat(backendA.handshakes).hasSize(2);
	}

	@Test
	void aMissingOrInvalidTokenIs401WithABearerChallenge() throws Exception {
		RawHttp.Response missing = handshake("/hs", "");
		assertThat(missing.status()).isEqualTo(401);
		assertThat(missing.headers()).containsEntry("www-authenticate", "Bearer realm=\"wsgate\"");
		assertThat(missing.body().trim()).isEqualTo("unauthorized");

		String foreign = TestTokens.hs256(SECRET.replace('6', '7'), TestTokens.claims("eve", inAMinute()).build());
		RawHttp.Response invalid = handshake("/hs", "Authorization: Bearer " + foreign + "\r\n");
		assertThat(invalid.status()).isEqualTo(401);
		assertThat(invalid.headers()).containsEntry("www-authenticate", "Bearer realm=\"wsgate\", error=\"invalid_token\"");

		String expired = TestTokens.hs256(SECRET, TestTokens.claims("eve", Instant.now().minusSeconds(60)).build());
		assertThat(handshake("/hs", "Authorization: Bearer " + expired + "\r\n").status()).isEqualTo(401);
		assertThat(backendA.handshakes).isEmpty();
		assertThat(backendB.handshakes).isEmpty();
	}

	@Test
	void aValidBearerTokenPassesItsClaimAndNotTheClientsForgedCopyReachesTheBackend() throws Exception {
		String token = hs("alice", inAMinute());
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs"),
				Map.of("Authorization", "Bearer " + token, "X-User-Id", "admin"), null)) {
			client.sendText("hello");
			assertThat(client.nextText()).isEqualTo("hello");
		}
		TestBackend.Handshake handshake = lastHandshake();
		assertThat(handshake.headers().getAll("X-User-Id")).containsExactly("alice");
		// As Easegress does, the Authorization header goes on to the backend.
		assertThat(handshake.headers().get("Authorization")).isEqualTo("Bearer " + token);
	}

	@Test
	void theQueryParameterCarriesTheTokenAndIsRemovedBeforeDialing() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs?room=7&access_token=" + hs("bob", inAMinute())
				+ "&lang=en"))) {
			client.sendText("hi");
			assertThat(client.nextText()).isEqualTo("hi");
		}
		assertThat(lastHandshake().uri()).isEqualTo("/hs?room=7&lang=en");
		assertThat(lastHandshake().headers().get("X-User-Id")).isEqualTo("bob");
	}

	@Test
	void anOfferedSubprotocolCarriesTheTokenAndIsRemovedBeforeDialing() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs"), Map.of(),
				"chat, bearer." + hs("carol", inAMinute()))) {
			assertThat(client.subprotocol()).isEqualTo("chat");
		}
		assertThat(lastHandshake().headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat");
		assertThat(lastHandshake().headers().get("X-User-Id")).isEqualTo("carol");
	}

	@Test
	void theCookieCarriesTheTokenAndGoesOnToTheBackend() throws Exception {
		String token = hs("dave", inAMinute());
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs"), Map.of("Cookie", "theme=dark; auth=" + token),
				null)) {
			client.sendText("x");
			assertThat(client.nextText()).isEqualTo("x");
		}
		assertThat(lastHandshake().headers().get("X-User-Id")).isEqualTo("dave");
		assertThat(lastHandshake().headers().get("Cookie")).contains("auth=" + token);
	}

	@Test
	void headerHashRoutesByTheClaimWhateverTheClientSendsAsTheHeader() throws Exception {
		Map<String, TestBackend> chosen = new java.util.HashMap<>();
		for (int user = 0; user < 12; user++) {
			String subject = "user-" + user;
			TestBackend first = connectAndFindBackend(subject, null);
			for (String forged : new String[] { "admin", "user-" + (user + 1), "x" }) {
				assertThat(connectAndFindBackend(subject, forged)).isSameAs(first);
			}
			chosen.put(subject, first);
		}
		// The claim decides: different users land on both servers.
		assertThat(chosen.values()).contains(backendA, backendB);
	}

	@Test
	void aTokenThatExpiresDuringTheSessionCloses1008ToTheClientAnd1001ToTheBackend() throws Exception {
		// exp is whole seconds: 2 to 3 seconds from now, plus the 1s clockSkew.
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs"),
				Map.of("Authorization", "Bearer " + hs("erin", Instant.now().plusSeconds(3))), null);
		TestBackend.Session session = sessionOf("erin");
		client.sendText("still valid");
		assertThat(client.nextText()).isEqualTo("still valid");

		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(10));
		assertThat(atClient.code()).isEqualTo(1008);
		assertThat(atClient.reasonText()).isEqualTo("token expired");
		WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(1001);
		assertThat(atBackend.reasonText()).isEqualTo("token expired");
	}

	@Test
	void rs256TokensVerifyWithThePemPublicKey() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/rs"),
				Map.of("Authorization", "Bearer " + TestTokens.rs256(rsa, TestTokens.claims("frank", inAMinute()).build())), null)) {
			client.sendText("rs");
			assertThat(client.nextText()).isEqualTo("rs");
		}
		String otherKey = TestTokens.rs256(TestTokens.rsaKeyPair(), TestTokens.claims("frank", inAMinute()).build());
		assertThat(handshake("/rs", "Authorization: Bearer " + otherKey + "\r\n").status()).isEqualTo(401);
	}

	@Test
	void es256TokensVerifyWithTheJwkSetFetchedOnceAndAgainWhenANewKidAppears() throws Exception {
		jwks.set(TestTokens.jwkSet(ecOne));
		int before = jwksFetches.get();
		assertThat(handshake("/es", bearer(TestTokens.es256(ecOne, TestTokens.claims("gina", inAMinute()).build())))
			.status()).isEqualTo(101);
		assertThat(handshake("/es", bearer(TestTokens.es256(ecOne, TestTokens.claims("gina", inAMinute()).build())))
			.status()).isEqualTo(101);
		int afterOne = jwksFetches.get();
		assertThat(afterOne - before).isLessThanOrEqualTo(1);

		// Rotation: the provider publishes a second key and signs with it. The set is fetched again
		// at most once a second, so the first tries may come too soon after the first fetch.
		jwks.set(TestTokens.jwkSet(ecOne, ecTwo));
		await().atMost(Duration.ofSeconds(10)).until(() -> handshake("/es",
				bearer(TestTokens.es256(ecTwo, TestTokens.claims("gina", inAMinute()).build()))).status() == 101);
		assertThat(jwksFetches.get()).isEqualTo(afterOne + 1);
		assertThat(handshake("/es", bearer(TestTokens.es256(ecTwo, TestTokens.claims("gina", inAMinute()).build())))
			.status()).isEqualTo(101);
		assertThat(jwksFetches.get()).isEqualTo(afterOne + 1);

		// A kid the provider never published, signed by a key it does not know.
		assertThat(handshake("/es", bearer(TestTokens.es256(TestTokens.ecKey("three"),
				TestTokens.claims("gina", inAMinute()).build()))).status()).isEqualTo(401);
	}

	@Test
	void basicAuthChecksBcryptShaAndApr1LinesElse401WithABasicChallenge() throws Exception {
		assertThat(handshake("/basic", basic("alice", "alice-pw-1")).status()).isEqualTo(101);
		assertThat(handshake("/basic", basic("sha", "password")).status()).isEqualTo(101);
		assertThat(handshake("/basic", basic("apr", "wsgate-apr1-pw")).status()).isEqualTo(101);
		assertThat(handshake("/basic", basic("php", "rasmuslerdorf")).status()).isEqualTo(101);

		RawHttp.Response wrong = handshake("/basic", basic("alice", "nope"));
		assertThat(wrong.status()).isEqualTo(401);
		assertThat(wrong.headers()).containsEntry("www-authenticate", "Basic realm=\"wsgate\", charset=\"UTF-8\"");
		assertThat(handshake("/basic", basic("mallory", "x")).status()).isEqualTo(401);
		assertThat(handshake("/basic", "").status()).isEqualTo(401);
	}

	@Test
	void anEditedHtpasswdFileIsReadAgainWhileTheGatewayRuns() throws Exception {
		String original = Files.readString(htpasswd);
		try {
			assertThat(handshake("/basic", basic("alice", "alice-pw-1")).status()).isEqualTo(101);
			Files.writeString(htpasswd, "alice:" + new BCryptPasswordEncoder(4).encode("alice-pw-2") + "\n");

			await().atMost(Duration.ofSeconds(10))
				.until(() -> handshake("/basic", basic("alice", "alice-pw-2")).status() == 101);
			assertThat(handshake("/basic", basic("alice", "alice-pw-1")).status()).isEqualTo(401);
			assertThat(handshake("/basic", basic("sha", "password")).status()).isEqualTo(401);
		}
		finally {
			Files.writeString(htpasswd, original);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> handshake("/basic", basic("sha", "password")).status() == 101);
		}
	}

	@Test
	void secretsAppearInNoLogAccessLogMetricOrAnswer(CapturedOutput output) throws Exception {
		String token = hs("henry", inAMinute());
		String tokenInQuery = hs("ivy", inAMinute());
		String foreign = TestTokens.hs256(SECRET.replace('6', '7'), TestTokens.claims("eve", inAMinute()).build());
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs?access_token=" + tokenInQuery),
				Map.of("Cookie", "auth=" + token), null)) {
			client.sendText("x");
			assertThat(client.nextText()).isEqualTo("x");
		}
		TestClient.HandshakeFailed refused = catchThrowableOfType(TestClient.HandshakeFailed.class,
				() -> TestClient.connect(gateway.wsUrl("edge", "/hs?access_token=" + foreign)));
		assertThat(refused.status).isEqualTo(401);
		RawHttp.Response wrongPassword = handshake("/basic", basic("alice", "the-wrong-password"));
		assertThat(wrongPassword.body()).doesNotContain("the-wrong-password");
		assertThat(handshake("/basic", basic("sha", "password")).status()).isEqualTo(101);

		String metrics = gateway.management("/actuator/prometheus");
		assertThat(metrics).contains("result=\"invalid\"");
		await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("reason=wrong password")
				|| output.getOut().contains("reason=\"wrong password\""));
		String everything = output.getAll() + metrics + gateway.management("/actuator/wsgate");
		for (String secret : new String[] { token, tokenInQuery, foreign, SECRET, "the-wrong-password",
				base64("alice:the-wrong-password"), base64("sha:password") }) {
			assertThat(everything).doesNotContain(secret);
		}
		// Only the claims' parts that identify: not even a token's signature part leaks.
		assertThat(everything).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
	}

	private TestBackend connectAndFindBackend(String subject, String forged) throws Exception {
		int a = backendA.handshakes.size();
		int b = backendB.handshakes.size();
		Map<String, String> headers = (forged == null) ? Map.of("Authorization", "Bearer " + hs(subject, inAMinute()))
				: Map.of("Authorization", "Bearer " + hs(subject, inAMinute()), "X-User-Id", forged);
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/hs"), headers, null)) {
			client.sendText("where");
			assertThat(client.nextText()).isEqualTo("where");
		}
		boolean onA = backendA.handshakes.size() > a;
		boolean onB = backendB.handshakes.size() > b;
		assertThat(onA ^ onB).isTrue();
		TestBackend chosen = onA ? backendA : backendB;
		assertThat(chosen.lastHandshake().headers().getAll("X-User-Id")).containsExactly(subject);
		return chosen;
	}

	private TestBackend.Session sessionOf(String subject) throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> !backendA.sessions.isEmpty() || !backendB.sessions.isEmpty());
		TestBackend.Session session = !backendA.sessions.isEmpty() ? backendA.nextSession() : backendB.nextSession();
		assertThat(session.uri).isEqualTo("/hs");
		return session;
	}

	private TestBackend.Handshake lastHandshake() {
		TestBackend.Handshake a = backendA.handshakes.isEmpty() ? null : backendA.lastHandshake();
		return (a != null) ? a : backendB.lastHandshake();
	}

	private RawHttp.Response handshake(String path, String headers) throws IOException {
		return RawHttp.send(gateway.port("edge"), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + RawHttp.UPGRADE_HEADERS
				+ headers);
	}

	private static String hs(String subject, Instant expiry) {
		return TestTokens.hs256(SECRET, TestTokens.claims(subject, expiry).build());
	}

	private static String bearer(String token) {
		return "Authorization: Bearer " + token + "\r\n";
	}

	private static String basic(String user, String password) {
		return "Authorization: Basic " + base64(user + ":" + password) + "\r\n";
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

	private static Instant inAMinute() {
		return Instant.now().plusSeconds(60);
	}
}
