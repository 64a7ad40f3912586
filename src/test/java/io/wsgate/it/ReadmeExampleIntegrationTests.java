package io.wsgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's worked example, its YAML block as written (only the port, the identity provider's
 * address and the backends' addresses point at the test's own): a browser's token from the URL, the
 * user's id to the backend, a handshake limit and a message rate per user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeExampleIntegrationTests {

	private static final String ISSUER = "https://idp.example.com/";

	private final TestBackend chat1 = new TestBackend();

	private final TestBackend chat2 = new TestBackend();

	private KeyPair keys;

	private DisposableServer identityProvider;

	private Gateway gateway;

	@BeforeAll
	void start() throws Exception {
		keys = rsaKeys();
		String jwks = new JWKSet(new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID("key-1").build()).toString();
		identityProvider = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route(routes -> routes.get("/.well-known/jwks.json", (request, response) -> response
				.header("Content-Type", "application/json")
				.sendString(Mono.just(jwks))))
			.bindNow();
		String yaml = readmeExample()
			.replace("port: 8080", "port: 0")
			.replace("https://idp.example.com/.well-known/jwks.json",
					"http://127.0.0.1:" + identityProvider.port() + "/.well-known/jwks.json")
			.replace("ws://chat-1.internal:9000", "ws://127.0.0.1:" + chat1.port())
			.replace("ws://chat-2.internal:9000", "ws://127.0.0.1:" + chat2.port());
		gateway = Gateway.start(yaml);
	}

	@AfterAll
	void stop() {
		gateway.close();
		identityProvider.disposeNow();
		chat1.close();
		chat2.close();
	}

	@Test
	void aBrowserWithAValidTokenReachesTheBackendAsItsUserAndTheTokenStaysBehind() throws Exception {
		String token = token("alice");
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat/lobby?access_token=" + token),
				Map.of("X-User-Id", "mallory"), null)) {
			client.sendText("hello");
			assertThat(client.nextText()).isEqualTo("hello");
		}
		TestBackend.Handshake seen = lastHandshake();
		assertThat(seen.uri()).isEqualTo("/chat/lobby");
		assertThat(seen.headers().getAll("X-User-Id")).containsExactly("alice");
	}

	@Test
	void withoutATokenTheHandshakeGets401AndABearerChallenge() throws Exception {
		RawHttp.Response refused = RawHttp.send(gateway.port("edge"),
				"GET /chat/lobby HTTP/1.1\r\nHost: chat.example.com\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(refused.status()).isEqualTo(401);
		assertThat(refused.headers().get("www-authenticate")).startsWith("Bearer");
	}

	@Test
	void eachUserOpensTenSessionsAMinuteAndNoMore() throws Exception {
		String carol = token("carol");
		for (int i = 0; i < 10; i++) {
			assertThat(handshake(carol).status()).as("handshake %d", i + 1).isEqualTo(101);
		}
		RawHttp.Response limited = handshake(carol);
		assertThat(limited.status()).isEqualTo(429);
		assertThat(limited.headers().get("retry-after")).isNotBlank();
		assertThat(handshake(token("dave")).status()).as("another user has a limit of its own").isEqualTo(101);
	}

	@Test
	void aFloodingClientIsSlowedNotCut() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat/lobby?access_token=" + token("erin")))) {
			long start = System.nanoTime();
			for (int i = 0; i < 60; i++) {
				client.sendText("m" + i);
			}
			List<String> echoed = new ArrayList<>();
			for (int i = 0; i < 60; i++) {
				echoed.add(client.nextText());
			}
			// A burst of 40, then 20 a second: the last 20 take at least a second.
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
			assertThat(echoed).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 60).mapToObj(i -> "m" + i).toList());
		}
	}

	private RawHttp.Response handshake(String token) throws IOException {
		return RawHttp.send(gateway.port("edge"),
				"GET /chat/lobby?access_token=" + token + " HTTP/1.1\r\nHost: chat.example.com\r\n" + RawHttp.UPGRADE_HEADERS);
	}

	private TestBackend.Handshake lastHandshake() {
		List<TestBackend.Handshake> all = new ArrayList<>(chat1.handshakes);
		all.addAll(chat2.handshakes);
		return all.stream().filter(h -> h.headers().get("X-User-Id") != null && h.headers().get("X-User-Id").equals("alice"))
			.reduce((first, second) -> second)
			.orElseThrow(() -> new AssertionError("no backend handshake of alice"));
	}

	private String token(String user) throws JOSEException {
		JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(user)
			.issuer(ISSUER)
			.audience("chat")
			.expirationTime(Date.from(Instant.now().plusSeconds(3600)))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("key-1").build(), claims);
		jwt.sign(new RSASSASigner(keys.getPrivate()));
		return jwt.serialize();
	}

	/** The first YAML block after the README's worked-example heading. */
	private static String readmeExample() throws IOException {
		String readme = Files.readString(Path.of("README.md"));
		int section = readme.indexOf("## A worked example");
		int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
		return readme.substring(start, readme.indexOf("```", start));
	}

	private static KeyPair rsaKeys() throws NoSuchAlgorithmException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		return generator.generateKeyPair();
	}
}
