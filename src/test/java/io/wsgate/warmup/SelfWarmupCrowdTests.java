package io.wsgate.warmup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The second round's sessions at once: a storm's crowd, unless the process may open few files. */
class SelfWarmupCrowdTests {

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
}
