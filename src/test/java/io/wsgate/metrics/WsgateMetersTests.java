package io.wsgate.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The meter catalogue names every value its tags take. */
class WsgateMetersTests {

	@Test
	void theSessionsCounterDescribesEveryHandshakeOutcome() {
		assertThat(WsgateMeters.SESSIONS.description()).endsWith(
				"by outcome: upgraded, rejected, over_limit, backend_refused, backend_unavailable, backend_unreachable, first_message_rejected");
	}

	@Test
	void outcomeTagsAreLowerSnakeCase() {
		assertThat(HandshakeOutcome.OVER_LIMIT.tag()).isEqualTo("over_limit");
		assertThat(HandshakeOutcome.UPGRADED.tag()).isEqualTo("upgraded");
	}
}
