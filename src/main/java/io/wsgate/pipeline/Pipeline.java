package io.wsgate.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.wsgate.config.ConfigValidator;
import io.wsgate.config.FilterSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.config.PipelineSpec.FlowNodeSpec;
import io.wsgate.metrics.WsgateMeters;
import io.wsgate.pipeline.FilterContext.PendingRefusal;
import io.wsgate.status.SessionSummary;
import reactor.core.publisher.Mono;

/**
 * Runs its filters in flow order. A non-empty result jumps to the {@code jumpIf} target for it,
 * or ends the pipeline when the flow names none (as Easegress does). A filter that refuses the
 * handshake leaves its answer with the context ({@link FilterContext#refuse}): it is sent when the
 * flow ends on that result, and dropped when {@code jumpIf} sends the handshake to another filter.
 */
public final class Pipeline {

	private final String name;

	private final List<Step> steps;

	private final FilterOutcomes outcomes;

	/**
	 * @param spec the pipeline
	 * @param filters its filters, by name
	 * @param outcomes where the filters' results and refusals are reported
	 */
	public Pipeline(PipelineSpec spec, Map<String, Filter> filters, FilterOutcomes outcomes) {
		this.name = spec.name();
		this.outcomes = outcomes;
		Map<String, String> kinds = new HashMap<>();
		for (FilterSpec filter : spec.filters()) {
			kinds.put(filter.name(), filter.kind());
		}
		List<FlowNodeSpec> flow = spec.flow().isEmpty()
				? spec.filters().stream().map(f -> new FlowNodeSpec(f.name(), Map.of())).toList() : spec.flow();
		List<Step> built = new ArrayList<>();
		for (FlowNodeSpec node : flow) {
			Map<String, Integer> jumps = new HashMap<>();
			node.jumpIf().forEach((result, target) -> jumps.put(result, indexOf(flow, target)));
			// The validation made sure every node names a filter of the pipeline.
			built.add(new Step(node.filter(), Objects.requireNonNull(kinds.get(node.filter())),
					Objects.requireNonNull(filters.get(node.filter())), jumps, new ConcurrentHashMap<>()));
		}
		this.steps = List.copyOf(built);
	}

	public String name() {
		return name;
	}

	/** Runs the flow; completes when the last filter (for a proxy: the session) is done. */
	public Mono<Void> run(FilterContext context) {
		return runFrom(0, context).then(Mono.defer(() -> {
			PendingRefusal pending = context.pendingRefusal();
			return (pending != null) ? answer(context, pending)
					: context.respond(500, "the pipeline produced no response");
		}));
	}

	private Mono<Void> runFrom(int index, FilterContext context) {
		if (index >= steps.size()) {
			return Mono.empty();
		}
		Step step = steps.get(index);
		context.currentFilter(step.name());
		return step.filter().handle(context).defaultIfEmpty(Filter.CONTINUE).flatMap(result -> {
			count(step, result);
			if (result.isEmpty()) {
				return runFrom(index + 1, context);
			}
			Integer target = step.jumps().get(result);
			if (target == null) {
				return Mono.empty();
			}
			if (target < steps.size()) {
				// Sent on: the target decides, the refusal is not answered.
				context.forgetRefusal();
			}
			return runFrom(target, context);
		});
	}

	private void count(Step step, String result) {
		String tag = result.isEmpty() ? WsgateMeters.CONTINUE_RESULT : result;
		Counter counter = step.counters().get(tag);
		if (counter == null) {
			counter = step.counters().computeIfAbsent(tag, t -> outcomes.counter(name, step.name(), step.kind(), t));
		}
		counter.increment();
	}

	/** Sends a filter's refusal, unless something answered already, and reports the handshake as finished. */
	private Mono<Void> answer(FilterContext context, PendingRefusal pending) {
		if (context.isAnswered()) {
			return Mono.empty();
		}
		Refusal refusal = pending.refusal();
		refusal.headers().forEach(context.response().getHeaders()::set);
		context.endHandshake(pending.result(), refusal.status());
		String host = context.request().getHeaders().getFirst("Host");
		outcomes.refused(new SessionSummary(context.start(), context.info().clientIp(), (host != null) ? host : "",
				context.info().path(), context.httpServer(), name, "", "", "", refusal.status(), pending.result(),
				Duration.ofNanos(context.elapsedNanos()), 0, 0, 0, 0, 0, "", pending.filter(), refusal.reason()));
		return context.respond(refusal.status(), refusal.message());
	}

	private static int indexOf(List<FlowNodeSpec> flow, String target) {
		if (ConfigValidator.END.equals(target)) {
			return Integer.MAX_VALUE;
		}
		for (int i = 0; i < flow.size(); i++) {
			if (flow.get(i).filter().equals(target)) {
				return i;
			}
		}
		throw new IllegalArgumentException("jumpIf target " + target + " (validated at startup)");
	}

	/** One filter of the flow, its jumps and its result counters. */
	private record Step(String name, String kind, Filter filter, Map<String, Integer> jumps,
			Map<String, Counter> counters) {
	}
}
