package io.wsgate.warmup;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure parts of the warm-up: the second round's crowd, and the line that says how it went. */
class SelfWarmupTests {

	@Test
	void aUsualLimitGetsTheWholeCrowd() {
		assertThat(SelfWarmup.crowd(1_048_576, 300)).isEqualTo(SelfWarmup.CROWD);
		assertThat(SelfWarmup.crowd(20_000, 300)).isEqualTo(SelfWarmup.CROWD);
	}

	@Test
	void aLowLimitGetsAtMostHalfOfTheFreeDescriptorsAtFourASession() {
		// 1,024 (a common soft limit) with 200 open: 824 free, 412 for the crowd, 103 sessions.
		assertThat(SelfWarmup.crowd(1024, 200)).isEqualTo(103);
	}

	@Test
	void noneFreeStillRunsOneAtATime() {
		assertThat(SelfWarmup.crowd(1024, 1024)).isEqualTo(1);
		assertThat(SelfWarmup.crowd(1024, 2000)).isEqualTo(1);
	}

	@Test
	void aWarmUpThatDidWhatWasAskedSaysSo() {
		assertThat(SelfWarmup.describe(new WarmupSessions.Result(24_821, 0, true, Duration.ofMillis(18_681), null), 20_000,
				"60s")).isEqualTo("warm-up: 24821 sessions in 18681 ms, 0 failed");
	}

	@Test
	void aSecondRoundCutShortAfterItsMinimumIsNotASessionShortfall() {
		assertThat(SelfWarmup.describe(new WarmupSessions.Result(26_000, 0, false, Duration.ofSeconds(30), null), 20_000,
				"60s")).isEqualTo("warm-up: 26000 sessions in 30000 ms, 0 failed; the JIT compilers were still busy when its time was up");
	}

	@Test
	void sessionsLeftAndFailuresAreNamed() {
		assertThat(SelfWarmup.describe(new WarmupSessions.Result(900, 0, false, Duration.ofMillis(500), null), 20_000,
				"500ms")).endsWith("; stopped at maxDuration (500ms) with 19100 sessions left");
		assertThat(SelfWarmup.describe(new WarmupSessions.Result(100, 12, false, Duration.ofSeconds(1),
				new IOException("refused")), 20_000, "60s")).endsWith(", stopped early; last failure: java.io.IOException: refused");
	}
}
