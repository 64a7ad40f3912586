package io.wsgate.health;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

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

import org.springframework.context.SmartLifecycle;

/**
 * Runs the active health checks: every server of every pool with a {@code healthCheck} has its own
 * periodic, non-blocking probe, so a slow or hanging server never delays another; a tick that comes
 * while the previous probe of the same server still runs is skipped. No thread per server: probes
 * are Reactor Netty requests on the shared event loops, with the pool's {@code serverTls}. All stop
 * with the application.
 */
public final class HealthCheckScheduler implements SmartLifecycle {

	private final PoolRegistry pools;

	private final HttpClient plain;

	private Disposable.Composite running;

	public HealthCheckScheduler(PoolRegistry pools, LoopResources loops) {
		this.pools = pools;
		this.plain = HttpClient.create(ConnectionProvider.newConnection()).runOn(loops).disableRetry(true);
	}

	@Override
	public synchronized void start() {
		running = Disposables.composite();
		for (PoolRegistry.Entry entry : pools.entries()) {
			ServerPool pool = entry.pool();
			HealthCheckSpec spec = pool.spec().healthCheck();
			if (spec != null) {
				ServerChecker checker = new ServerChecker(spec, client(pool));
				pool.servers().forEach(server -> running.add(schedule(pool, server, checker, spec.interval())));
			}
		}
	}

	/**
	 * The probes' client of a pool: with the TLS its dials use, so a check sees a server as traffic
	 * does. Reactor Netty applies it to https/wss URIs only, so the scheme still decides.
	 */
	private HttpClient client(ServerPool pool) {
		return (pool.tls() != null) ? pool.tls().applyTo(plain) : plain;
	}

	private static Disposable schedule(ServerPool pool, Server server, ServerChecker checker, Duration interval) {
		// A little jitter on the first check spreads the probes of many servers over the interval.
		Duration firstDelay = Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis() / 10)));
		return Flux.interval(firstDelay, interval, Schedulers.parallel())
			.onBackpressureDrop()
			.concatMap(tick -> checker.check(server), 1)
			.subscribe(result -> pool.recordCheck(server, result.healthy(), result.failure()));
	}

	@Override
	public synchronized void stop() {
		if (running != null) {
			running.dispose();
			running = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return running != null;
	}
}
