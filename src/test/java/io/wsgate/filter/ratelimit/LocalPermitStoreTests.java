package io.wsgate.filter.ratelimit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Counters per key in memory, bounded: spent counters are swept, keys beyond the cap share one. */
class LocalPermitStoreTests {

	private static final long MS = 1_000_000L;

	private final Permits onePerSecond = new Permits(1, 1000 * MS, 0);

	@Test
	void eachKeyHasItsOwnCounter() {
		LocalPermitStore store = new LocalPermitStore(onePerSecond, 100, 0);
		assertThat(store.acquire("10.0.0.1", MS).permitted()).isTrue();
		assertThat(store.acquire("10.0.0.1", 2 * MS).permitted()).isFalse();
		assertThat(store.acquire("10.0.0.2", 3 * MS).permitted()).isTrue();
	}

	@Test
	void spentCountersAreSweptWithoutChangingAnyDecision() {
		LocalPermitStore store = new LocalPermitStore(onePerSecond, 100, 0);
		for (int i = 0; i < 50; i++) {
			store.acquire("10.0.0." + i, MS);
		}
		assertThat(store.size()).isEqualTo(50);
		store.acquire("late", 1500 * MS);
		// The first cycle's permits are spent: the sweep that the next period's request triggers drops them.
		store.acquire("later", LocalPermitStore.SWEEP_NANOS + 1);
		assertThat(store.size()).isLessThanOrEqualTo(1);
		assertThat(store.acquire("10.0.0.1", LocalPermitStore.SWEEP_NANOS + 2).permitted()).isTrue();
	}

	@Test
	void keysBeyondTheCapShareOneCounterUntilASweepMakesRoom() {
		LocalPermitStore store = new LocalPermitStore(onePerSecond, 10, 0);
		for (int i = 0; i < 10; i++) {
			assertThat(store.acquire("flood-" + i, MS).permitted()).isTrue();
		}
		assertThat(store.acquire("newcomer-1", 2 * MS).permitted()).isTrue();
		assertThat(store.acquire("newcomer-2", 3 * MS).permitted()).isFalse();
		assertThat(store.size()).isLessThanOrEqualTo(11);
	}
}
