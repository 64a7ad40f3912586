package io.wsgate.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How busy the JIT compilers are, window by window: quiet when they compiled for under a tenth of a
 * window's wall time. Not strictly idle: readiness probes and meters' scrapes compile code of their
 * own all along. Where the JVM does not report compile time, it is always quiet.
 */
final class CompilerActivity {

	private final @Nullable CompilationMXBean compiler;

	private final long windowNanos;

	private long windowStart;

	private long compiledAtWindowStart;

	private boolean quiet;

	CompilerActivity(Duration window) {
		CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
		this.compiler = (bean != null && bean.isCompilationTimeMonitoringSupported()) ? bean : null;
		this.windowNanos = window.toNanos();
		this.windowStart = System.nanoTime();
		this.compiledAtWindowStart = (compiler != null) ? compiler.getTotalCompilationTime() : 0;
	}

	/** Whether the last window that ended was quiet (false until one has); measures the next one. */
	synchronized boolean quiet() {
		if (compiler == null) {
			return true;
		}
		long now = System.nanoTime();
		if (now - windowStart >= windowNanos) {
			long compiled = compiler.getTotalCompilationTime();
			quiet = (compiled - compiledAtWindowStart) * 10 < Duration.ofNanos(now - windowStart).toMillis();
			windowStart = now;
			compiledAtWindowStart = compiled;
		}
		return quiet;
	}
}
