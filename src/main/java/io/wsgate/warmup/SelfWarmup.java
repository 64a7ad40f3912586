package io.wsgate.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.config.WsgateProperties.WarmupSpec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The self warm-up ({@code wsgate.warmup}): a fresh JVM interprets, then compiles, the handshake path
 * as its first clients arrive, and a reconnect storm (a deploy, a node drain) is exactly that. With
 * the warm-up on, the gateway first opens sessions through a {@link LoopbackGateway} of its own.
 * <p>
 * It runs as an application runner: Spring Boot reports the application ready ({@code /actuator/health/readiness}
 * answers 200) only after the runners, so readiness stays down until the warm-up is over, and the
 * orchestrator sends no client meanwhile. The listeners already accept; liveness is up. It is
 * bounded by {@code maxDuration}, and a warm-up that fails is logged and the gateway goes ready
 * anyway: it is an optimisation, never a reason not to serve.
 */
public final class SelfWarmup implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(SelfWarmup.class);

	/** How long the last sessions may take to close after the clients are done. */
	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	/** The window over which the compilers' work is measured. */
	private static final Duration COMPILER_QUIET = Duration.ofMillis(250);

	/** The longest readiness waits for the compilers. */
	private static final Duration COMPILER_WAIT = Duration.ofSeconds(5);

	private final WarmupSpec spec;

	private final ReactorResourceFactory resources;

	private final SslBundles sslBundles;

	private final Supplier<MeterRegistry> registries;

	/**
	 * @param registries makes the warm-up's own meter registry
	 */
	public SelfWarmup(WarmupSpec spec, ReactorResourceFactory resources, SslBundles sslBundles,
			Supplier<MeterRegistry> registries) {
		this.spec = spec;
		this.resources = resources;
		this.sslBundles = sslBundles;
		this.registries = registries;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (spec.enabled()) {
			warmUp();
		}
	}

	/** Runs the warm-up; never throws. */
	void warmUp() {
		logger.info("warm-up: " + spec.sessions() + " sessions through the handshake path (" + spec.concurrency()
				+ " at a time, at most " + maxDuration() + ") before going ready");
		try (LoopbackGateway gateway = new LoopbackGateway(resources, sslBundles, registries.get())) {
			WarmupSessions.Result result = new WarmupSessions(resources.getLoopResources(), gateway.uris())
				.run(spec.sessions(), spec.concurrency(), spec.maxDuration());
			awaitClosed(gateway);
			report(result);
		}
		catch (RuntimeException ex) {
			logger.warn("warm-up failed; the gateway goes ready without it", ex);
			return;
		}
		awaitCompilerQuiet();
	}

	/**
	 * Waits (at most {@link #COMPILER_WAIT}) until the JIT compilers are nearly idle: under a tenth
	 * of one compiler's time over {@link #COMPILER_QUIET}. The warm-up's last sessions and its own
	 * shutdown leave compilations queued (and code that the shutdown's new paths invalidated), which
	 * would otherwise take the CPU from the first clients. Not strictly idle: readiness probes and
	 * meters' scrapes compile their own code meanwhile.
	 */
	private static void awaitCompilerQuiet() {
		CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
		if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
			return;
		}
		long begin = System.nanoTime();
		long deadline = begin + COMPILER_WAIT.toNanos();
		long windowStart = begin;
		long compiledAtWindowStart = compiler.getTotalCompilationTime();
		while (System.nanoTime() < deadline) {
			LockSupport.parkNanos(COMPILER_QUIET.toNanos());
			long now = System.nanoTime();
			long compiled = compiler.getTotalCompilationTime();
			if ((compiled - compiledAtWindowStart) * 10 < Duration.ofNanos(now - windowStart).toMillis()) {
				break;
			}
			windowStart = now;
			compiledAtWindowStart = compiled;
		}
		logger.info("warm-up: the compilers were quiet after " + Duration.ofNanos(System.nanoTime() - begin).toMillis()
				+ " ms");
	}

	/** As the config would spell it: 60s, 500ms. */
	private String maxDuration() {
		long millis = spec.maxDuration().toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

	private static void awaitClosed(LoopbackGateway gateway) {
		long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
		while (gateway.activeSessions() > 0 && System.nanoTime() < deadline) {
			LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
		}
	}

	private void report(WarmupSessions.Result result) {
		String done = "warm-up: " + result.completed() + " sessions in " + result.took().toMillis() + " ms, "
				+ result.failed() + " failed";
		if (result.failed() > 0) {
			logger.warn(done + (result.finished() ? "" : ", stopped early") + "; last failure: " + result.lastFailure());
		}
		else if (!result.finished()) {
			logger.warn(done + "; stopped at maxDuration (" + maxDuration() + ") with "
					+ (spec.sessions() - result.completed()) + " sessions left");
		}
		else {
			logger.info(done);
		}
	}
}
