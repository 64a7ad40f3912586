package io.wsgate.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.wsgate.config.FilterSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.pipeline.Filter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.FilterOutcomes;
import io.wsgate.pipeline.Pipeline;
import io.wsgate.server.RoutingTable.PipelineHold;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Filters holding resources are closed once the replaced configuration's last user is done, exactly once. */
class PipelineUsageTests {

	private final AtomicInteger closed = new AtomicInteger();

	private final AtomicInteger disposed = new AtomicInteger();

	private final Filter closeable = new ClosingFilter();

	private final Filter disposable = new DisposingFilter();

	private final Filter plain = context -> Mono.empty();

	private final PipelineUsage usage = new PipelineUsage(pipeline(), List.of(closeable, disposable, plain));

	@Test
	void unusedPipelineClosesItsFiltersWhenRetired() {
		usage.retire();
		assertThat(closed).hasValue(1);
		assertThat(disposed).hasValue(1);
		assertThat(usage.hold()).isNull();
	}

	@Test
	void filtersCloseWhenTheLastSessionEndsNotBefore() {
		PipelineHold request = usage.hold();
		PipelineHold session = request.another();
		usage.retire();
		request.release();
		assertThat(closed).hasValue(0);
		session.release();
		session.release();
		assertThat(closed).hasValue(1);
		assertThat(disposed).hasValue(1);
	}

	@Test
	void pipelineInForceNeverCloses() {
		PipelineHold hold = usage.hold();
		hold.release();
		assertThat(closed).hasValue(0);
		assertThat(usage.hold()).isNotNull();
	}

	private static Pipeline pipeline() {
		PipelineSpec spec = new PipelineSpec("chat", List.of(), List.of(new FilterSpec("Test", "f")), null);
		FilterOutcomes outcomes = new FilterOutcomes(new GatewayMetrics(new SimpleMeterRegistry()), summary -> {
		});
		return new Pipeline(spec, Map.of("f", context -> Mono.empty()), outcomes);
	}

	private final class ClosingFilter implements Filter, AutoCloseable {

		@Override
		public Mono<String> handle(FilterContext context) {
			return Mono.empty();
		}

		@Override
		public void close() {
			closed.incrementAndGet();
		}
	}

	private final class DisposingFilter implements Filter, Disposable {

		@Override
		public Mono<String> handle(FilterContext context) {
			return Mono.empty();
		}

		@Override
		public void dispose() {
			disposed.incrementAndGet();
		}
	}
}
