package io.wsgate.proxy.dial;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LoopTimeoutTests {

	private final EventLoop loop = new DefaultEventLoop();

	@AfterEach
	void stopLoop() {
		loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
	}

	@Test
	void fallbackRunsOnTheLoopWhenTheSourceIsSilent() {
		AtomicReference<Thread> firedOn = new AtomicReference<>();
		Mono<String> fallback = Mono.fromSupplier(() -> {
			firedOn.set(Thread.currentThread());
			return "fallback";
		});
		StepVerifier.create(LoopTimeout.timeout(Mono.never(), Duration.ofMillis(50), loop, fallback))
			.expectNext("fallback")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
		assertThat(loop.inEventLoop(firedOn.get())).isTrue();
	}

	@Test
	void withoutFallbackTheTimeoutIsATimeoutException() {
		StepVerifier.create(LoopTimeout.timeout(Mono.never(), Duration.ofMillis(50), loop, null))
			.expectError(TimeoutException.class)
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void aSourceThatAnswersInTimeWinsAndTheTimerChangesNothingLater() {
		Sinks.One<String> source = Sinks.one();
		AtomicReference<String> result = new AtomicReference<>();
		LoopTimeout.timeout(source.asMono(), Duration.ofMillis(100), loop, Mono.just("fallback"))
			.subscribe(result::set);
		source.tryEmitValue("answer");
		// Past the 100ms timer, the answer is still the one that came in time.
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> "answer".equals(result.get()));
	}

	@Test
	void aLoopThatIsShuttingDownEndsTheWaitAtOnce() {
		loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
		StepVerifier.create(LoopTimeout.timeout(Mono.never(), Duration.ofMinutes(5), loop, Mono.just("fallback")))
			.expectNext("fallback")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void withoutALoopReactorsSchedulerTimesIt() {
		StepVerifier.create(LoopTimeout.timeout(Mono.never(), Duration.ofMillis(50), null, Mono.just("fallback")))
			.expectNext("fallback")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}
}
