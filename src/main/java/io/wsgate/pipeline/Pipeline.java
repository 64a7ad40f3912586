package io.wsgate.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.config.ConfigValidator;
import io.wsgate.config.PipelineSpec;
import io.wsgate.config.PipelineSpec.FlowNodeSpec;
import reactor.core.publisher.Mono;

/**
 * Runs its filters in flow order. A non-empty result jumps to the {@code jumpIf} target for it,
 * or ends the pipeline when the flow names none (as Easegress does).
 */
public final class Pipeline {

	private final String name;

	private final List<Step> steps;

	/**
	 * @param spec the pipeline
	 * @param filters its filters, by name
	 */
	public Pipeline(PipelineSpec spec, Map<String, Filter> filters) {
		this.name = spec.name();
		List<FlowNodeSpec> flow = spec.flow().isEmpty()
				? spec.filters().stream().map(f -> new FlowNodeSpec(f.name(), Map.of())).toList() : spec.flow();
		List<Step> built = new ArrayList<>();
		for (FlowNodeSpec node : flow) {
			Map<String, Integer> jumps = new HashMap<>();
			node.jumpIf().forEach((result, target) -> jumps.put(result, indexOf(flow, target)));
			built.add(new Step(node.filter(), filters.get(node.filter()), jumps));
		}
		this.steps = List.copyOf(built);
	}

	public String name() {
		return name;
	}

	/** Runs the flow; completes when the last filter (for a proxy: the session) is done. */
	public Mono<Void> run(FilterContext context) {
		return runFrom(0, context).then(Mono.defer(() -> context.respond(500, "the pipeline produced no response")));
	}

	private Mono<Void> runFrom(int index, FilterContext context) {
		if (index >= steps.size()) {
			return Mono.empty();
		}
		Step step = steps.get(index);
		return step.filter().handle(context).defaultIfEmpty(Filter.CONTINUE).flatMap(result -> {
			if (result.isEmpty()) {
				return runFrom(index + 1, context);
			}
			Integer target = step.jumps().get(result);
			return (target != null) ? runFrom(target, context) : Mono.empty();
		});
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

	private record Step(String name, Filter filter, Map<String, Integer> jumps) {
	}
}
