package io.wsgate.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.config.PipelineSpec;

/** The pipelines of the configuration, by name. */
public final class Pipelines {

	private final Map<String, Pipeline> byName;

	public Pipelines(List<PipelineSpec> specs, FilterRegistry registry) {
		Map<String, Pipeline> map = new LinkedHashMap<>();
		for (PipelineSpec spec : specs) {
			map.put(spec.name(), new Pipeline(spec, registry));
		}
		this.byName = map;
	}

	/** The pipeline of this name; names were checked at startup. */
	public Pipeline get(String name) {
		return byName.get(name);
	}
}
