package io.wsgate.status;

import java.time.Duration;

import io.wsgate.status.TrafficHistory.Reading;
import io.wsgate.status.TrafficHistory.Snapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficHistoryTests {

	private static final long SECOND = 1_000_000_000L;

	private final TrafficHistory history = new TrafficHistory(4, Duration.ofSeconds(1));

	/** A reading at second {@code s}: wall clock and monotonic clock advance together. */
	private void read(long s, Reading reading) {
		history.record(1_000_000 + s * 1000, s * SECOND, reading);
	}

	@Test
	void theFirstReadingIsOnlyTheBaseForRates() {
		read(0, new Reading(3, 500, 40, 2));
		assertThat(history.snapshot().time()).isEmpty();

		read(1, new Reading(4, 600, 41, 2));
		Snapshot snapshot = history.snapshot();
		assertThat(snapshot.time()).containsExactly(1_001_000);
		assertThat(snapshot.activeSessions()).containsExactly(4);
		assertThat(snapshot.messagesPerSecond()).containsExactly(100);
	}

	@Test
	void ratesAreCounterDeltasOverTheTimeBetweenReadings() {
		read(0, new Reading(0, 0, 0, 0));
		read(2, new Reading(5, 90, 7, 3));
		read(3, new Reading(2, 100, 7, 4));
		Snapshot snapshot = history.snapshot();
		assertThat(snapshot.messagesPerSecond()).containsExactly(45, 10);
		assertThat(snapshot.handshakesPerSecond()).containsExactly(3.5, 0);
		assertThat(snapshot.refusalsPerSecond()).containsExactly(1.5, 1);
		assertThat(snapshot.activeSessions()).containsExactly(5, 2);
	}

	@Test
	void ratesUseTheMonotonicClockNotTheWallClock() {
		history.record(5_000, 0, new Reading(0, 0, 0, 0));
		// The wall clock stepped back an hour; two seconds passed.
		history.record(5_000 - 3_600_000, 2 * SECOND, new Reading(0, 10, 0, 0));
		assertThat(history.snapshot().messagesPerSecond()).containsExactly(5);
	}

	@Test
	void aReadingWithNoTimeElapsedAddsNoSample() {
		read(0, new Reading(0, 0, 0, 0));
		read(0, new Reading(0, 10, 0, 0));
		assertThat(history.snapshot().time()).isEmpty();
	}

	@Test
	void aCounterThatWentBackReadsAsNoTraffic() {
		read(0, new Reading(0, 10, 0, 0));
		read(1, new Reading(0, 4, 0, 0));
		assertThat(history.snapshot().messagesPerSecond()).containsExactly(0);
	}

	@Test
	void ratesAreRoundedToTwoDecimals() {
		read(0, new Reading(0, 0, 0, 0));
		read(3, new Reading(0, 1, 0, 0));
		assertThat(history.snapshot().messagesPerSecond()).containsExactly(0.33);
	}

	@Test
	void theRingKeepsTheNewestSamplesOldestFirst() {
		read(0, new Reading(0, 0, 0, 0));
		for (int s = 1; s <= 10; s++) {
			read(s, new Reading(s, s * s, 0, 0));
		}
		Snapshot snapshot = history.snapshot();
		assertThat(snapshot.capacity()).isEqualTo(4);
		assertThat(snapshot.time()).containsExactly(1_007_000, 1_008_000, 1_009_000, 1_010_000);
		assertThat(snapshot.activeSessions()).containsExactly(7, 8, 9, 10);
		// s*s - (s-1)*s-1 = 2s - 1
		assertThat(snapshot.messagesPerSecond()).containsExactly(13, 15, 17, 19);
	}

	@Test
	void fifteenMinutesIs900SamplesOneASecond() {
		TrafficHistory fifteen = TrafficHistory.fifteenMinutes();
		for (int s = 0; s <= 2000; s++) {
			fifteen.record(s * 1000L, s * SECOND, new Reading(0, s, 0, 0));
		}
		Snapshot snapshot = fifteen.snapshot();
		assertThat(snapshot.intervalMillis()).isEqualTo(1000);
		assertThat(snapshot.capacity()).isEqualTo(900);
		assertThat(snapshot.time()).hasSize(900);
		assertThat(snapshot.time()[0]).isEqualTo(1101 * 1000L);
		assertThat(snapshot.time()[899]).isEqualTo(2000 * 1000L);
		assertThat(snapshot.messagesPerSecond()).containsOnly(1);
	}
}
