package io.wsgate.proxy.frame;

import java.util.List;

import io.wsgate.pipeline.SessionGuards.MessageRate;
import io.wsgate.pipeline.SessionGuards.MessageRate.Action;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The token buckets of a session's client message rates. */
class MessageRateLimitTests {

	private static final long MS = 1_000_000L;

	@Test
	void noRateMeansNoLimitAtAll() {
		assertThat(MessageRateLimit.of(List.of(), 0)).isNull();
	}

	@Test
	void theBurstGoesAtOnceThenMessagesWaitForTheRefill() {
		MessageRateLimit limit = MessageRateLimit.of(List.of(new MessageRate(10, 2, Action.PAUSE, "l")), 0);
		assertThat(limit.take(0)).isZero();
		assertThat(limit.take(0)).isZero();
		assertThat(limit.take(0)).isEqualTo(100 * MS);
		// Asking took nothing: 40 ms later, 60 ms are left.
		assertThat(limit.take(40 * MS)).isEqualTo(60 * MS);
		assertThat(limit.take(100 * MS)).isZero();
		assertThat(limit.take(100 * MS)).isEqualTo(100 * MS);
	}

	@Test
	void theBucketHoldsNoMoreThanTheBurst() {
		MessageRateLimit limit = MessageRateLimit.of(List.of(new MessageRate(100, 1, Action.PAUSE, "l")), 0);
		assertThat(limit.take(10_000 * MS)).isZero();
		assertThat(limit.take(10_000 * MS)).isEqualTo(10 * MS);
	}

	@Test
	void aCloseRateExceededSaysClose() {
		MessageRateLimit limit = MessageRateLimit.of(List.of(new MessageRate(1, 1, Action.CLOSE, "limiter")), 0);
		assertThat(limit.take(0)).isZero();
		assertThat(limit.take(MS)).isEqualTo(MessageRateLimit.CLOSE);
		assertThat(limit.exceededBy()).isEqualTo("limiter");
	}

	@Test
	void everyRateApplies() {
		MessageRateLimit limit = MessageRateLimit.of(List.of(new MessageRate(1000, 5, Action.PAUSE, "fast"),
				new MessageRate(1, 1, Action.PAUSE, "slow")), 0);
		assertThat(limit.take(0)).isZero();
		assertThat(limit.take(0)).isEqualTo(1000 * MS);
	}
}
