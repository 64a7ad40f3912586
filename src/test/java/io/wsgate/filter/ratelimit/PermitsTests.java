package io.wsgate.filter.ratelimit;

import io.wsgate.filter.ratelimit.Permits.Decision;
import io.wsgate.filter.ratelimit.Permits.State;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Easegress's rate limiter arithmetic: permits per cycle, reservations within the timeout, refusals. */
class PermitsTests {

	private static final long MS = 1_000_000L;

	@Test
	void eachCycleGrantsItsPermitsAtOnce() {
		Permits permits = new Permits(2, 100 * MS, 0);
		State state = new State();
		assertThat(permits.acquire(state, 10 * MS)).isEqualTo(Decision.PERMITTED);
		assertThat(permits.acquire(state, 20 * MS)).isEqualTo(Decision.PERMITTED);
		assertThat(permits.acquire(state, 30 * MS).permitted()).isFalse();
		// The next cycle starts with its own permits, whatever was refused before.
		assertThat(permits.acquire(state, 100 * MS)).isEqualTo(Decision.PERMITTED);
	}

	@Test
	void aRefusalSaysWhenTheNextPermitIsDue() {
		Permits permits = new Permits(1, 1000 * MS, 0);
		State state = new State();
		permits.acquire(state, 300 * MS);
		assertThat(permits.acquire(state, 400 * MS)).isEqualTo(Decision.refused(600 * MS));
	}

	@Test
	void aPermitOfALaterCycleWithinTheTimeoutIsReservedAndWaitedFor() {
		Permits permits = new Permits(1, 100 * MS, 250 * MS);
		State state = new State();
		assertThat(permits.acquire(state, 10 * MS)).isEqualTo(Decision.PERMITTED);
		assertThat(permits.acquire(state, 20 * MS)).isEqualTo(Decision.after(80 * MS));
		assertThat(permits.acquire(state, 30 * MS)).isEqualTo(Decision.after(170 * MS));
		// maxTokens = 1 * (250 / 100 + 1) = 3: the fourth would wait beyond the timeout.
		assertThat(permits.acquire(state, 40 * MS)).isEqualTo(Decision.refused(60 * MS));
	}

	@Test
	void aStateIsSpentOnceEveryPermitItGaveLiesInThePast() {
		Permits permits = new Permits(1, 100 * MS, 200 * MS);
		State state = new State();
		permits.acquire(state, 10 * MS);
		permits.acquire(state, 20 * MS);
		assertThat(permits.isSpent(state, 150 * MS)).isFalse();
		assertThat(permits.isSpent(state, 200 * MS)).isTrue();
	}
}
