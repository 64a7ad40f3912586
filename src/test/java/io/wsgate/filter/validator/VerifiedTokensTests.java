package io.wsgate.filter.validator;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;

class VerifiedTokensTests {

	private final VerifiedTokens tokens = new VerifiedTokens();

	private final Instant now = Instant.parse("2026-12-06T10:00:00Z");

	@Test
	void aVerifiedTokenServesUntilItsMaximumAge() {
		Jwt jwt = jwt("alice");
		tokens.put("t1", jwt, now);

		assertThat(tokens.get("t1", now.plus(VerifiedTokens.MAX_AGE))).isSameAs(jwt);
		assertThat(tokens.get("t1", now.plus(VerifiedTokens.MAX_AGE).plusMillis(1))).isNull();
		assertThat(tokens.size()).as("an entry past its age is dropped").isZero();
		assertThat(tokens.get("never-seen", now)).isNull();
	}

	@Test
	void itNeverHoldsMoreThanItsCapacity() {
		for (int i = 0; i < VerifiedTokens.CAPACITY + 10; i++) {
			tokens.put("t" + i, jwt("u" + i), now);
		}
		assertThat(tokens.size()).isLessThanOrEqualTo(VerifiedTokens.CAPACITY);
		assertThat(tokens.get("t" + (VerifiedTokens.CAPACITY + 9), now)).isNotNull();
	}

	private static Jwt jwt(String subject) {
		return new Jwt("token-of-" + subject, null, null, Map.of("alg", "HS256"), Map.of("sub", subject));
	}
}
