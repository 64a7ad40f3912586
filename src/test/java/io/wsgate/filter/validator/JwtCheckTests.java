package io.wsgate.filter.validator;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.wsgate.config.TestSpecs;
import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.SessionGuards;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** JWT verification by Spring Security's decoder with the spec's checks, and what a valid token changes. */
class JwtCheckTests {

	static final String SECRET = ValidatorConfigTests.SECRET;

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path dir;

	private final BackendRequest backend = new BackendRequest("/chat");

	private final SessionGuards session = new SessionGuards();

	@Test
	void aValidHs256TokenPassesAndItsClaimsBecomeIdentityHeaders() {
		JwtCheck check = new JwtCheck(hs256(Map.of("sub", "X-User-Id", "roles", "X-Roles", "missing", "X-Missing"), false));
		String token = TestTokens.hs256(SECRET,
				TestTokens.with(TestTokens.claims("alice", Instant.now().plusSeconds(60)), Map.of("roles", List.of("a", "b"))));

		StepVerifier.create(check.verify(token, backend, session)).expectComplete().verify(WAIT);

		assertThat(backend.identityHeaders())
			.containsExactlyInAnyOrderEntriesOf(Map.of("X-User-Id", "alice", "X-Roles", "a,b", "X-Missing", ""));
		DefaultHttpHeaders sent = new DefaultHttpHeaders();
		sent.add("X-User-Id", "forged");
		sent.add("X-Missing", "forged");
		backend.applyHeaders(sent);
		assertThat(sent.getAll("X-User-Id")).containsExactly("alice");
		assertThat(sent.contains("X-Missing")).isFalse();
		assertThat(session.closeAt()).isNull();
	}

	@Test
	void closeOnExpiryClosesTheSessionAtExpiryPlusClockSkew() {
		JwtCheck check = new JwtCheck(hs256(Map.of(), true));
		Instant expiry = Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.SECONDS);

		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.claims("a", expiry).build()), backend, session))
			.expectComplete()
			.verify(WAIT);

		assertThat(session.closeAt()).isEqualTo(expiry.plusSeconds(60));
		assertThat(session.closeReason()).isEqualTo("token expired");
	}

	@Test
	void anExpiredTokenIsRefusedPastTheClockSkewOnly() {
		JwtCheck check = new JwtCheck(hs256(Map.of("sub", "X-User-Id"), false));

		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.claims("a", Instant.now().minusSeconds(30)).build()),
				backend, session)).expectComplete().verify(WAIT);
		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.claims("b", Instant.now().minusSeconds(90)).build()),
				new BackendRequest("/"), session)).expectNext("expired token").expectComplete().verify(WAIT);
	}

	@Test
	void aTokenSignedWithAnotherKeyOrMalformedIsInvalidAndChangesNothing() {
		JwtCheck check = new JwtCheck(hs256(Map.of("sub", "X-User-Id"), true));
		String otherKey = TestTokens.hs256(SECRET.replace('6', '7'), TestTokens.claims("a", Instant.now().plusSeconds(60)).build());

		StepVerifier.create(check.verify(otherKey, backend, session)).expectNext("invalid token").expectComplete().verify(WAIT);
		StepVerifier.create(check.verify("not.a.jwt", backend, session)).expectNext("invalid token").expectComplete().verify(WAIT);

		assertThat(backend.changesHeaders()).isFalse();
		assertThat(session.isEmpty()).isTrue();
	}

	@Test
	void issuerAndAudiencesAreChecked() {
		JwtCheck check = new JwtCheck(TestSpecs.spec(ValidatorSpec.JwtSpec.class, "algorithm", "HS256", "secret", SECRET,
				"issuer", "https://idp/", "audiences", List.of("chat", "feed")));
		Instant expiry = Instant.now().plusSeconds(60);

		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.with(TestTokens.claims("a", expiry),
				Map.of("iss", "https://idp/", "aud", List.of("feed")))), backend, session)).expectComplete().verify(WAIT);
		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.with(TestTokens.claims("a", expiry),
				Map.of("iss", "https://other/", "aud", List.of("chat")))), backend, session))
			.expectNext("token claims not accepted").expectComplete().verify(WAIT);
		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.with(TestTokens.claims("a", expiry),
				Map.of("iss", "https://idp/", "aud", List.of("mail")))), backend, session))
			.expectNext("token claims not accepted").expectComplete().verify(WAIT);
	}

	@Test
	void rs256VerifiesWithAPemPublicKeyAndRefusesAnHs256TokenForIt() throws Exception {
		KeyPair keys = TestTokens.rsaKeyPair();
		Path pem = TestTokens.writePem(dir.resolve("jwt.pem"), keys.getPublic());
		JwtCheck check = new JwtCheck(TestSpecs.spec(ValidatorSpec.JwtSpec.class, "algorithm", "RS256", "publicKey", "file:" + pem,
				"claimsToHeaders", Map.of("sub", "X-User-Id")));
		Instant expiry = Instant.now().plusSeconds(60);

		StepVerifier.create(check.verify(TestTokens.rs256(keys, TestTokens.claims("carol", expiry).build()), backend, session))
			.expectComplete()
			.verify(WAIT);
		assertThat(backend.identityHeaders()).containsEntry("X-User-Id", "carol");
		StepVerifier.create(check.verify(TestTokens.hs256(SECRET, TestTokens.claims("a", expiry).build()), backend, session))
			.expectNext("invalid token")
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void es256VerifiesWithAPemPublicKey() throws Exception {
		var key = TestTokens.ecKey("k1");
		Path pem = TestTokens.writePem(dir.resolve("ec.pem"), key.toECPublicKey());
		JwtCheck check = new JwtCheck(TestSpecs.spec(ValidatorSpec.JwtSpec.class, "algorithm", "ES256", "publicKey", "file:" + pem));

		StepVerifier.create(check.verify(TestTokens.es256(key, TestTokens.claims("a", Instant.now().plusSeconds(60)).build()),
				backend, session)).expectComplete().verify(WAIT);
		StepVerifier.create(check.verify(TestTokens.es256(TestTokens.ecKey("k1"),
				TestTokens.claims("a", Instant.now().plusSeconds(60)).build()), backend, session))
			.expectNext("invalid token").expectComplete().verify(WAIT);
	}

	@Test
	void aJwkSetThatCannotBeFetchedRefusesTheTokenAsKeysUnavailable() throws Exception {
		// Bound and never listening: the port refuses connections, and nothing else can take it meanwhile.
		try (java.net.Socket refusing = new java.net.Socket()) {
			refusing.setReuseAddress(false);
			refusing.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
			JwtCheck check = new JwtCheck(TestSpecs.spec(ValidatorSpec.JwtSpec.class, "algorithm", "ES256",
					"jwksUri", "http://127.0.0.1:" + refusing.getLocalPort() + "/jwks.json"));
			var key = TestTokens.ecKey("k1");

			StepVerifier.create(check.verify(TestTokens.es256(key, TestTokens.claims("a", Instant.now().plusSeconds(60)).build()),
					backend, session)).expectNext("token keys unavailable").expectComplete().verify(WAIT);
		}
	}

	@Test
	void claimValuesCannotSmuggleLineBreaksIntoHeaders() {
		assertThat(ClaimHeaders.text("a\r\nX-Admin: yes")).isEqualTo("a  X-Admin: yes");
		assertThat(ClaimHeaders.text(Instant.ofEpochSecond(1700000000))).isEqualTo("1700000000");
		assertThat(ClaimHeaders.text(42)).isEqualTo("42");
	}

	@Test
	void aTokenComingBackIsAcceptedAgainWithItsClaimsUntilItExpires() {
		JwtCheck check = new JwtCheck(new ValidatorSpec.JwtSpec("HS256", SECRET, null, null, null, null, null, null, null,
				Map.of("sub", "X-User-Id"), Duration.ZERO, false));
		Instant expiry = Instant.now().plusSeconds(2);
		String token = TestTokens.hs256(SECRET, TestTokens.claims("alice", expiry).build());

		for (int i = 0; i < 2; i++) {
			BackendRequest request = new BackendRequest("/chat");
			StepVerifier.create(check.verify(token, request, session)).expectComplete().verify(WAIT);
			assertThat(request.identityHeaders()).containsExactly(Map.entry("X-User-Id", "alice"));
		}
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiry.plusMillis(1000)));
		StepVerifier.create(check.verify(token, new BackendRequest("/"), session)).expectNext("expired token").expectComplete()
			.verify(WAIT);
	}

	static ValidatorSpec.JwtSpec hs256(Map<String, String> claimsToHeaders, boolean closeOnExpiry) {
		return TestSpecs.spec(ValidatorSpec.JwtSpec.class, "algorithm", "HS256", "secret", SECRET,
				"claimsToHeaders", claimsToHeaders, "closeOnExpiry", closeOnExpiry);
	}
}
