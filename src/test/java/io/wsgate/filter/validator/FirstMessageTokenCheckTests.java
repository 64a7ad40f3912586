package io.wsgate.filter.validator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.SessionGuards;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code firstMessage}: the token as the message's text or as the "token" field of a JSON object. */
class FirstMessageTokenCheckTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final FirstMessageTokenCheck check = new FirstMessageTokenCheck(Duration.ofSeconds(3), true,
			new JwtCheck(JwtCheckTests.hs256(Map.of("sub", "X-User-Id"), true)));

	private final BackendRequest backend = new BackendRequest("/chat");

	private final SessionGuards session = new SessionGuards();

	@Test
	void theSettingsAreTheFilters() {
		assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(check.forward()).isTrue();
	}

	@Test
	void aTokenAsPlainTextIsVerifiedAndSetsTheIdentityAndTheExpiry() {
		Instant expiry = Instant.now().plusSeconds(120);

		StepVerifier.create(check.check(" " + token("alice", expiry) + "\n", backend, session)).expectComplete().verify(WAIT);

		assertThat(backend.identityHeaders()).containsEntry("X-User-Id", "alice");
		assertThat(session.closeAt()).isEqualTo(expiry.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(60));
	}

	@Test
	void aTokenInAJsonObjectIsVerified() {
		String message = "{\"type\": \"auth\", \"token\": \"" + token("bob", Instant.now().plusSeconds(120)) + "\"}";

		StepVerifier.create(check.check(message, backend, session)).expectComplete().verify(WAIT);

		assertThat(backend.identityHeaders()).containsEntry("X-User-Id", "bob");
	}

	@Test
	void aMalformedMessageIsRefusedWithoutChangingAnything() {
		for (String message : new String[] { "", "hello there", "{\"token\": 42}", "{\"tok\": \"x\"}", "{broken" }) {
			StepVerifier.create(check.check(message, backend, session))
				.expectNext(FirstMessageTokenCheck.MALFORMED)
				.expectComplete()
				.verify(WAIT);
		}
		StepVerifier.create(check.check("not.a.jwt", backend, session)).expectNext("invalid token").expectComplete().verify(WAIT);
		assertThat(backend.changesHeaders()).isFalse();
		assertThat(session.isEmpty()).isTrue();
	}

	@Test
	void anExpiredTokenIsRefused() {
		StepVerifier.create(check.check(token("carol", Instant.now().minusSeconds(3600)), backend, session))
			.expectNext("expired token")
			.expectComplete()
			.verify(WAIT);
		assertThat(backend.identityHeaders()).isEmpty();
	}

	private static String token(String subject, Instant expiry) {
		return TestTokens.hs256(JwtCheckTests.SECRET, TestTokens.claims(subject, expiry).build());
	}
}
