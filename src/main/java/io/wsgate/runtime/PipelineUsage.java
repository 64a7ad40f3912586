package io.wsgate.runtime;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.Pipeline;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.server.RoutingTable.PipelineHold;
import org.jspecify.annotations.Nullable;

/**
 * Who uses a pipeline of a configuration: requests under way and the sessions they opened. Once
 * the configuration is retired and nobody holds the pipeline, its filters are closed, exactly once;
 * a hold asked for after that fails, so the request reads the configuration in force.
 */
final class PipelineUsage {

	/** Holders; -1 once closed. */
	private final AtomicInteger holders = new AtomicInteger();

	private final Pipeline pipeline;

	private final List<Filter> filters;

	private volatile boolean retired;

	PipelineUsage(Pipeline pipeline, List<Filter> filters) {
		this.pipeline = pipeline;
		this.filters = filters;
	}

	/** A hold; null when the pipeline is closed. */
	@Nullable PipelineHold hold() {
		while (true) {
			int current = holders.get();
			if (current < 0) {
				return null;
			}
			if (holders.compareAndSet(current, current + 1)) {
				return new Hold();
			}
		}
	}

	/** The configuration was replaced: the filters close when the last holder is done (now if none). */
	void retire() {
		retired = true;
		closeIfUnused();
	}

	int holders() {
		return Math.max(0, holders.get());
	}

	boolean isClosed() {
		return holders.get() < 0;
	}

	private void closeIfUnused() {
		if (retired && holders.compareAndSet(0, -1)) {
			filters.forEach(Pipelines::close);
		}
	}

	private final class Hold implements PipelineHold {

		private final AtomicBoolean released = new AtomicBoolean();

		@Override
		public Pipeline pipeline() {
			return pipeline;
		}

		@Override
		public PipelineHold another() {
			// Taken while this hold is still held: the count is above zero, the pipeline is open.
			holders.incrementAndGet();
			return new Hold();
		}

		@Override
		public void release() {
			if (released.compareAndSet(false, true) && holders.decrementAndGet() == 0) {
				closeIfUnused();
			}
		}
	}
}
