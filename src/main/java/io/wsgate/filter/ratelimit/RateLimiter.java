package io.wsgate.filter.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.wsgate.filter.ratelimit.Permits.Decision;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.Refusal;
import io.wsgate.pipeline.SessionGuards.MessageRate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * A {@code RateLimiter}: the first of its url rules that matches a handshake takes a permit of its
 * policy for the handshake's key. A permit due later within the policy's {@code timeoutDuration}
 * delays the handshake (a timer on its event loop, which never blocks); none due in time refuses it
 * with 429 and {@code Retry-After}. A handshake no rule matches is not limited. The message rate,
 * when set, is handed to the proxy for the session.
 */
final class RateLimiter implements Filter {

	static final String RATE_LIMITED = "rateLimited";

	private static final Mono<String> GO_ON = Mono.just(CONTINUE);

	private final List<UrlRule> rules;

	private final @Nullable List<LocalPermitStore> localStores;

	private final @Nullable RedisPermitStore redisStore;

	private final LimitKey key;

	private final @Nullable MessageRate messageRate;

	/**
	 * @param rules the url rules, in order
	 * @param localStores each rule's counters; null when Redis keeps them
	 * @param redisStore the counters in Redis; null when they are local
	 * @param messageRate the client's message rate per session; null when none
	 */
	RateLimiter(List<UrlRule> rules, @Nullable List<LocalPermitStore> localStores, @Nullable RedisPermitStore redisStore,
			LimitKey key, @Nullable MessageRate messageRate) {
		this.rules = rules;
		this.localStores = localStores;
		this.redisStore = redisStore;
		this.key = key;
		this.messageRate = messageRate;
	}

	@Override
	public Mono<String> handle(FilterContext context) {
		if (messageRate != null) {
			context.sessionGuards().limitClientMessages(messageRate);
		}
		String method = context.info().method();
		String path = context.info().path();
		for (int i = 0; i < rules.size(); i++) {
			UrlRule rule = rules.get(i);
			if (rule.matches(method, path)) {
				String counter = key.of(context);
				RedisPermitStore redis = redisStore;
				List<LocalPermitStore> local = localStores;
				if (redis == null && local != null) {
					return decide(context, rule, local.get(i).acquire(counter, System.nanoTime()));
				}
				return Objects.requireNonNull(redis, "one store or the other").acquire(i, counter, rule.permits())
					.flatMap(decision -> onLoopOf(context.request(), Mono.defer(() -> decide(context, rule, decision))));
			}
		}
		return GO_ON;
	}

	private static Mono<String> decide(FilterContext context, UrlRule rule, Decision decision) {
		if (!decision.permitted()) {
			long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(decision.nanos() + 999_999_999L));
			return context.refuse(new Refusal(429, "too many requests", "rate limited by policy " + rule.policy(),
					Map.of("Retry-After", String.valueOf(seconds))), RATE_LIMITED);
		}
		return (decision.nanos() <= 0) ? GO_ON : delay(context.request(), decision.nanos());
	}

	/** Goes on after {@code nanos}, timed by the client connection's event loop. */
	private static Mono<String> delay(ServerHttpRequest request, long nanos) {
		EventLoop loop = eventLoop(request);
		if (loop == null) {
			return Mono.delay(Duration.ofNanos(nanos)).thenReturn(CONTINUE);
		}
		return Mono.create(sink -> {
			try {
				var timer = loop.schedule(() -> sink.success(CONTINUE), nanos, TimeUnit.NANOSECONDS);
				sink.onCancel(() -> timer.cancel(false));
			}
			catch (RejectedExecutionException ex) {
				sink.success(CONTINUE);
			}
		});
	}

	/**
	 * Runs {@code next} on the client connection's event loop: Redis answers on its own threads, and
	 * the proxy after this filter works on the connection's loop.
	 */
	private static Mono<String> onLoopOf(ServerHttpRequest request, Mono<String> next) {
		EventLoop loop = eventLoop(request);
		if (loop == null || loop.inEventLoop()) {
			return next;
		}
		return Mono.<Void>create(sink -> {
			try {
				loop.execute(sink::success);
			}
			catch (RejectedExecutionException ex) {
				sink.success();
			}
		}).then(next);
	}

	private static @Nullable EventLoop eventLoop(ServerHttpRequest request) {
		return (ServerHttpRequestDecorator.getNativeRequest(request) instanceof Connection netty)
				? netty.channel().eventLoop() : null;
	}
}
