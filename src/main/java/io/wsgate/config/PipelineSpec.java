package io.wsgate.config;

import java.util.List;
import java.util.Map;

/**
 * A named pipeline ({@code wsgate.pipelines[i]}): filters run in {@code flow} order.
 *
 * @param name unique name that routing rules refer to as {@code backend}
 * @param flow optional run order; default: filters in declaration order
 * @param filters filter instances, looked up by {@code kind}
 * @param kind optional, {@code Pipeline}: the kind line of an Easegress object, so its spec pastes whole
 */
public record PipelineSpec(String name, List<FlowNodeSpec> flow, List<FilterSpec> filters, String kind) {

	/** The Easegress kind of the object this spec is the body of. */
	public static final String KIND = "Pipeline";

	public PipelineSpec {
		name = Specs.text(name);
		kind = Specs.text(kind);
		flow = Specs.list(flow);
		filters = Specs.list(filters);
	}

	/**
	 * One step of the flow.
	 *
	 * @param filter the name of a filter of this pipeline
	 * @param jumpIf result of the filter to the name of a later filter, or {@code END}
	 */
	public record FlowNodeSpec(String filter, Map<String, String> jumpIf) {

		public FlowNodeSpec {
			filter = Specs.text(filter);
			jumpIf = Specs.map(jumpIf);
		}
	}
}
