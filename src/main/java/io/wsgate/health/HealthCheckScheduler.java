package io.wsgate.health;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.wsgate.config.HealthCheckSpec;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Runs the active health checks: every server of every pool with a {@code healthCheck} has its own
 * periodic, non-blocking probe, so a slow or hanging server never delays another; a tick that comes
 * while the previous probe of the same server still runs is skipped. No thread per server: probes
 * are Reactor Netty requests on the shared event loops, with the pool's {@code serverTls}. The checks
 * of a configuration start when it is applied and stop when it is replaced or the application stops
 * ({@link #schedule}).
 */
public final class HealthCheckScheduler {

	private final HttpClient plain;

	private final AtomicInteger tasks = new AtomicInteger();

	public HealthCheckScheduler(LoopResources loops) {
		this.plain = HttpClient.create(ConnectionProvider.newConnection()).runOn(loops).disableRetry(true);
	}

	/** Starts the checks of these pools; disposing the result stops them all. */
	public Disposable schedule(List<PoolRegistry.Entry> pools) {
		Disposable.Composite running = Disposables.composite();
		for (PoolRegistry.Entry entry : pools) {
			ServerPool pool = entry.pool();
			HealthCheckSpec spec = pool.spec().healthCheck();
			if (spec != null) {
				ServerChecker checker = new ServerChecker(spec, client(pool));
				pool.servers().forEach(server -> running.add(schedule(pool, server, checker, spec.interval())));
			}
		}
		return running;
	}

	/** The periodic checks running now, one per checked server of the pools in force. */
	public int activeTasks() {
		return tasks.get();
	}

	/**
	 * The probes' client of a pool: with the TLS its dials use, so a check sees a server as traffic
	 * does. Reactor Netty applies it to https/wss URIs only, so the scheme still decides.
	 */
	private HttpClient client(ServerPool pool) {
		return (pool.tls() != null) ? pool.tls().applyTo(plain) : plain;
	}

	private Disposable schedule(ServerPool pool, Server server, ServerChecker checker, Duration interval) {
		// A little jitter on the first check spreads the probes of many servers over the interval.
		Duration firstDelay = Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis() / 10)));
		tasks.incrementAndGet();
		return Flux.interval(firstDelay, interval, Schedulers.parallel())
			.onBackpressureDrop()
			.concatMap(tick -> checker.check(server), 1)
			.doFinally(signal -> tasks.decrementAndGet())
			.subscribe(result -> pool.recordCheck(server, result.healthy(), result.failure()));
	}
}
