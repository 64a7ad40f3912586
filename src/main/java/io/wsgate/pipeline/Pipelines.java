package io.wsgate.pipeline;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.config.FilterSpec;
import io.wsgate.config.PipelineSpec;

import org.springframework.boot.context.properties.bind.Binder;

/** The pipelines of the configuration, by name. */
public final class Pipelines {

	private final Map<String, Pipeline> byName;

	/**
	 * @param specs the validated pipelines
	 * @param registry the filter kinds
	 * @param binder binds each filter's options (the application's binder)
	 * @param outcomes where the filters' results and refusals are reported
	 */
	public Pipelines(List<PipelineSpec> specs, FilterRegistry registry, Binder binder, FilterOutcomes outcomes) {
		Map<String, Pipeline> map = new LinkedHashMap<>();
		for (int p = 0; p < specs.size(); p++) {
			PipelineSpec spec = specs.get(p);
			Map<String, Filter> filters = new HashMap<>();
			for (int f = 0; f < spec.filters().size(); f++) {
				FilterSpec filter = spec.filters().get(f);
				filters.put(filter.name(), registry.create(filter, binder, FilterSpec.path(p, f), spec.name()));
			}
			map.put(spec.name(), new Pipeline(spec, filters, outcomes));
		}
		this.byName = map;
	}

	/** The pipeline of this name; names were checked at startup. */
	public Pipeline get(String name) {
		return byName.get(name);
	}
}
