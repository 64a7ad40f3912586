package io.wsgate.proxy.dial;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Timeouts timed by a connection's own event loop. {@code Mono.timeout(Duration)} arms its timer on
 * Reactor's parallel scheduler: every handshake and close then wakes a timer thread and takes its
 * queue's lock, a cost bench/README measured on every handshake; a timer armed from the event loop
 * stays in the loop's own queue, and fires on the thread that owns the connection.
 */
public final class LoopTimeout {

	private LoopTimeout() {
	}

	/**
	 * {@code source}, or {@code fallback} when it has not signalled within {@code timeout}.
	 *
	 * @param loop the loop to time it on; null for Reactor's parallel scheduler
	 */
	public static <T> Mono<T> timeout(Mono<T> source, Duration timeout, @Nullable EventExecutor loop,
			@Nullable Mono<T> fallback) {
		if (loop == null) {
			return (fallback != null) ? source.timeout(timeout, fallback) : source.timeout(timeout);
		}
		Mono<Long> timer = Mono.create(sink -> {
			try {
				ScheduledFuture<?> scheduled = loop.schedule(() -> sink.success(0L), timeout.toNanos(),
						TimeUnit.NANOSECONDS);
				sink.onCancel(() -> scheduled.cancel(false));
			}
			catch (RejectedExecutionException ex) {
				// The loop is shutting down, and its connections with it: nothing left to wait for.
				sink.success(0L);
			}
		});
		return (fallback != null) ? source.timeout(timer, fallback) : source.timeout(timer);
	}
}
