package io.wsgate.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

class DebouncerTests {

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	private final AtomicInteger runs = new AtomicInteger();

	private final Debouncer debouncer = new Debouncer(Duration.ofMillis(300), time, runs::incrementAndGet);

	@Test
	void burstOfTriggersRunsOnceAfterTheLastIsQuiet() {
		debouncer.trigger();
		time.advanceTimeBy(Duration.ofMillis(200));
		debouncer.trigger();
		time.advanceTimeBy(Duration.ofMillis(200));
		debouncer.trigger();
		time.advanceTimeBy(Duration.ofMillis(299));
		assertThat(runs).hasValue(0);
		time.advanceTimeBy(Duration.ofMillis(1));
		assertThat(runs).hasValue(1);
		time.advanceTimeBy(Duration.ofSeconds(10));
		assertThat(runs).hasValue(1);
	}

	@Test
	void triggersFarApartRunEach() {
		debouncer.trigger();
		time.advanceTimeBy(Duration.ofMillis(300));
		debouncer.trigger();
		time.advanceTimeBy(Duration.ofMillis(300));
		assertThat(runs).hasValue(2);
	}

	@Test
	void cancelDropsThePendingRun() {
		debouncer.trigger();
		debouncer.cancel();
		time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(runs).hasValue(0);
	}
}
