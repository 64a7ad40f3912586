package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the 101 answers before the backend is known, and close reasons that fit a close frame. */
class FirstMessageUpgradeTests {

	@Test
	void theClientIsAnsweredTheFirstSubprotocolItOffered() {
		assertThat(FirstMessageUpgrade.firstOffered("chat.v2, chat.v1")).isEqualTo("chat.v2");
		assertThat(FirstMessageUpgrade.firstOffered(" , chat.v1")).isEqualTo("chat.v1");
		assertThat(FirstMessageUpgrade.firstOffered(null)).isNull();
	}

	@Test
	void aShortReasonIsKept() {
		assertThat(FirstMessageUpgrade.closeReason("invalid token")).isEqualTo("invalid token");
	}

	@Test
	void aLongReasonIsCutTo123BytesOnACharacterBoundary() {
		String reason = "é".repeat(100);
		String cut = FirstMessageUpgrade.closeReason(reason);
		assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(122);
		assertThat(reason).startsWith(cut);
	}
}
