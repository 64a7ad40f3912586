package io.wsgate.proxy;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * Keeps a cancel from reaching a side's inbound frames. Reactor Netty answers the cancel of a
 * WebSocket inbound with an immediate empty close frame; when a write to the other side fails,
 * the send would cancel its source and so pre-empt the close code the bridge is about to forward.
 * Behind the shield a cancel only stops demand: reads pause until the side is closed properly.
 */
final class CancelShield {

	private CancelShield() {
	}

	static <T> Flux<T> of(Flux<T> source) {
		return source.transform(Operators.<T, T>lift((scannable, actual) -> new ShieldSubscriber<>(actual)));
	}

	private static final class ShieldSubscriber<T> implements CoreSubscriber<T>, Subscription {

		private final CoreSubscriber<? super T> actual;

		private Subscription upstream;

		private volatile boolean cancelled;

		ShieldSubscriber(CoreSubscriber<? super T> actual) {
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
			if (!cancelled) {
				actual.onError(error);
			}
		}

		@Override
		public void onComplete() {
			if (!cancelled) {
				actual.onComplete();
			}
		}

		@Override
		public void request(long n) {
			upstream.request(n);
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
