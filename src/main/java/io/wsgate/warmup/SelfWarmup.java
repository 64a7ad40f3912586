package io.wsgate.warmup;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

import com.sun.management.UnixOperatingSystemMXBean;
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

	/**
	 * Sessions at once in the second round: enough that each event loop holds more than 2,048
	 * channels (four per session: the client's, the gateway's two, the echo backend's), where Netty's
	 * map of channels first grows.
	 */
	static final int CROWD = 1200;

	/** Four descriptors per session, and half of those free left to everything else. */
	private static final int DESCRIPTORS_PER_CROWD_SESSION = 8;

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
		int firstRound = spec.sessions() - spec.sessions() / 4;
		WarmupSessions.Result result;
		try {
			result = round(firstRound, () -> true, spec.concurrency(), spec.maxDuration());
			awaitCompilerQuiet();
			if (result.finished() && firstRound < spec.sessions()) {
				// At most as long again as the first round: past that, what is left to compile is not
				// worth a slower start (a JVM given one core may never look quiet under load).
				Duration left = spec.maxDuration().minus(result.took());
				if (left.compareTo(result.took()) > 0) {
					left = result.took();
				}
				CompilerActivity compilers = new CompilerActivity(COMPILER_QUIET);
				result = result.and(round(spec.sessions() - firstRound, compilers::quiet,
						Math.max(crowd(), spec.concurrency()), left.isNegative() ? Duration.ZERO : left));
				awaitCompilerQuiet();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("warm-up failed; the gateway goes ready without it", ex);
			return;
		}
		report(result);
	}

	/**
	 * One round of sessions through a loopback gateway of its own, closed at the end: at least
	 * {@code sessions}, then on until {@code enough}.
	 * <p>
	 * Two rounds, for what one leaves undone. The first compiles most of the path, but HotSpot's C2
	 * compiler cannot keep up with it on a few cores: its queue grows, HotSpot raises the count at which
	 * it compiles a method (in proportion to the queue) and drops queued methods that went cold, and
	 * methods called once per session stay in C1's profiling code. When the sessions stop, the queue
	 * empties and the compilers look idle, and the first clients would compile the rest. So the
	 * second round goes on until the compilers are quiet <em>while</em> its sessions run. It also runs
	 * {@link #CROWD} sessions at once, as a storm does, where the first runs a few dozen: tables that
	 * grow with the open connections (each event loop's map of channels, the timers' queues, the
	 * sessions' registry) grow here, and code compiled before they did is thrown away here, not in the
	 * storm. And the first round's close (its listener's channel closes, its futures complete, on
	 * paths the sessions share) is behind the second round's code.
	 */
	private WarmupSessions.Result round(int sessions, BooleanSupplier enough, int concurrency, Duration maxDuration) {
		try (LoopbackGateway gateway = new LoopbackGateway(resources, sslBundles, registries.get())) {
			WarmupSessions.Result result = new WarmupSessions(resources.getLoopResources(), gateway.uris())
				.run(sessions, enough, concurrency, maxDuration);
			awaitClosed(gateway);
			return result;
		}
	}

	/** {@link #CROWD}, or fewer where the process may open few files (a container's low limit). */
	private static int crowd() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
			return crowd(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
		}
		return CROWD;
	}

	/** The second round's sessions at once, given the process's descriptors: at most half of the free ones. */
	static int crowd(long maxDescriptors, long openDescriptors) {
		long free = Math.max(0, maxDescriptors - openDescriptors);
		return (int) Math.max(1, Math.min(CROWD, free / DESCRIPTORS_PER_CROWD_SESSION));
	}

	/**
	 * Waits (at most {@link #COMPILER_WAIT}) until the JIT compilers are quiet. A round's last sessions
	 * and its gateway's close leave compilations queued (and code that the close's new paths
	 * invalidated), which would otherwise take the CPU from the next round or the first clients.
	 */
	private static void awaitCompilerQuiet() {
		long begin = System.nanoTime();
		long deadline = begin + COMPILER_WAIT.toNanos();
		CompilerActivity compilers = new CompilerActivity(COMPILER_QUIET);
		while (System.nanoTime() < deadline) {
			LockSupport.parkNanos(COMPILER_QUIET.toNanos());
			if (compilers.quiet()) {
				break;
			}
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
		String line = describe(result, spec.sessions(), maxDuration());
		if (result.failed() > 0 || result.completed() < spec.sessions()) {
			logger.warn(line);
		}
		else {
			logger.info(line);
		}
	}

	/** The warm-up's log line: what it did, and why it stopped when that was not the plan. */
	static String describe(WarmupSessions.Result result, int sessionsAsked, String maxDuration) {
		String done = "warm-up: " + result.completed() + " sessions in " + result.took().toMillis() + " ms, "
				+ result.failed() + " failed";
		if (result.failed() > 0) {
			return done + (result.finished() ? "" : ", stopped early") + "; last failure: " + result.lastFailure();
		}
		if (result.completed() < sessionsAsked) {
			return done + "; stopped at maxDuration (" + maxDuration + ") with " + (sessionsAsked - result.completed())
					+ " sessions left";
		}
		if (!result.finished()) {
			// The second round ran out of time before the compilers fell quiet: readiness waits for them a little.
			return done + "; the JIT compilers were still busy when its time was up";
		}
		return done;
	}
}
