package io.wsgate.proxy.session;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * Stands between a side's inbound frames and the bridge, for two quirks of Reactor Netty:
 * <ul>
 * <li>it answers the cancel of a WebSocket inbound with an immediate empty close frame, which would
 * pre-empt the close code the bridge is about to forward: behind the guard a cancel only stops
 * demand, and the side is closed properly by the bridge;</li>
 * <li>with unbounded demand its receiver signals an inbound error a second time when the connection
 * is disposed, which Reactor logs as a dropped error: the guard asks for bounded (if huge) demand and
 * lets one terminal signal through.</li>
 * </ul>
 */
final class InboundGuard {

	private InboundGuard() {
	}

	static <T> Flux<T> of(Flux<T> source) {
		return source.transform(Operators.<T, T>lift((scannable, actual) -> new GuardSubscriber<>(actual)));
	}

	private static final class GuardSubscriber<T> implements CoreSubscriber<T>, Subscription {

		private final CoreSubscriber<? super T> actual;

		private @Nullable Subscription upstream;

		private volatile boolean cancelled;

		private boolean done;

		GuardSubscriber(CoreSubscriber<? super T> actual) {
			this.actual = actual;
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			this.upstream = subscription;
			actual.onSubscribe(this);
		}

		@Override
		public void onNext(T item) {
			// After a cancel nothing more is requested; an item already in flight is dropped and
			// released by its source.
			if (!cancelled) {
				actual.onNext(item);
			}
		}

		@Override
		public void onError(Throwable error) {
			if (!cancelled && !done) {
				done = true;
				actual.onError(error);
			}
		}

		@Override
		public void onComplete() {
			if (!cancelled && !done) {
				done = true;
				actual.onComplete();
			}
		}

		@Override
		public void request(long n) {
			// Unbounded demand switches Reactor Netty's receiver to a fast path that signals an inbound
			// error twice (the second time when the connection is disposed, as a dropped error).
			Objects.requireNonNull(upstream, "not subscribed").request((n == Long.MAX_VALUE) ? Long.MAX_VALUE - 1 : n);
		}

		@Override
		public void cancel() {
			cancelled = true;
		}

		@Override
		public reactor.util.context.Context currentContext() {
			return actual.currentContext();
		}
	}
}
