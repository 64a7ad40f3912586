package io.wsgate.warmup;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The warm-up's clients: each opens a session, sends a text and a binary message, waits for both
 * echoes and closes with 1000, as a short-lived real client would. They take the routes in turn,
 * and every other session sends its binary message first: the first frames of a session go through
 * checks of their own, and code compiled for text alone would be thrown away at the first client
 * that speaks binary. They run on the gateway's event loops, with Reactor Netty's client (the
 * gateway's health probes use it too).
 */
final class WarmupSessions {

	/**
	 * What a warm-up did.
	 *
	 * @param completed sessions that echoed both messages
	 * @param failed sessions that did not
	 * @param finished whether every session was tried within the time allowed
	 * @param took how long it ran
	 * @param lastFailure the last failure; null when none
	 */
	record Result(int completed, int failed, boolean finished, Duration took, @Nullable Throwable lastFailure) {

		/** This warm-up, then {@code next}. */
		Result and(Result next) {
			return new Result(completed + next.completed, failed + next.failed, next.finished, took.plus(next.took),
					(next.lastFailure != null) ? next.lastFailure : lastFailure);
		}
	}

	/** Mostly ASCII, with a few multi-byte characters: text frames are checked to be UTF-8. */
	private static final String TEXT = "{\"warm-up\":true,\"greeting\":\"grüße, ça va? 👋\",\"padding\":\"0123456789\"}";

	private static final int BINARY_SIZE = 64;

	/** A session that takes longer is given up (a warm-up of a stuck path would never end otherwise). */
	private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

	private static final WebsocketClientSpec SPEC = WebsocketClientSpec.builder().build();

	private final HttpClient client;

	private final List<URI> uris;

	WarmupSessions(LoopResources loops, List<URI> uris) {
		this.client = HttpClient.create(ConnectionProvider.newConnection()).runOn(loops);
		this.uris = uris;
	}

	/**
	 * Opens at least {@code sessions} sessions, then more until {@code enough} says so, {@code concurrency}
	 * at a time, within {@code maxDuration}. It stops early when failures pass a tenth of the sessions:
	 * the loopback route is broken, and more of it would compile nothing useful.
	 */
	Result run(int sessions, BooleanSupplier enough, int concurrency, Duration maxDuration) {
		AtomicInteger completed = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		AtomicReference<@Nullable Throwable> lastFailure = new AtomicReference<>();
		int failureLimit = Math.max(10, sessions / 10);
		long begin = System.nanoTime();
		Boolean finished = Flux.range(0, Integer.MAX_VALUE)
			.takeWhile(i -> {
				// Asked at every session, so that what it measures is recent when the minimum is reached.
				boolean done = enough.getAsBoolean();
				return failed.get() < failureLimit && (i < sessions || !done);
			})
			.flatMap(i -> session(i).doOnSuccess(v -> completed.incrementAndGet()).onErrorResume(ex -> {
				failed.incrementAndGet();
				lastFailure.set(ex);
				return Mono.empty();
			}), concurrency)
			.then(Mono.fromSupplier(() -> failed.get() < failureLimit))
			.timeout(maxDuration, Mono.just(false))
			.block();
		return new Result(completed.get(), failed.get(), Boolean.TRUE.equals(finished),
				Duration.ofNanos(System.nanoTime() - begin), lastFailure.get());
	}

	private Mono<Void> session(int index) {
		boolean binaryFirst = (index / uris.size()) % 2 == 1;
		return client.websocket(SPEC).uri(uris.get(index % uris.size())).handle((in, out) -> {
			Mono<Void> echoes = in.receiveFrames().take(2).then();
			Flux<WebSocketFrame> messages = Flux.defer(() -> {
				WebSocketFrame text = new TextWebSocketFrame(TEXT);
				WebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[BINARY_SIZE]));
				return binaryFirst ? Flux.just(binary, text) : Flux.just(text, binary);
			});
			// Deferred: Reactor Netty allocates the close frame when asked for the Mono, and only a
			// subscription releases it (a session cut short by maxDuration never subscribes).
			return Mono.when(out.sendObject(messages).then(), echoes)
				.then(Mono.defer(() -> out.sendClose(1000, "warm-up")));
		}).then().timeout(SESSION_TIMEOUT);
	}
}
