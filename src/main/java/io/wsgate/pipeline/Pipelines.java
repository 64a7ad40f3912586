package io.wsgate.pipeline;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.config.Defined;
import io.wsgate.config.FilterSpec;
import io.wsgate.config.PipelineSpec;

import org.springframework.boot.context.properties.bind.Binder;

/** The pipelines of the configuration, by name. */
public final class Pipelines {

	private final Map<String, Pipeline> byName;

	private final List<PipelineSpec> specs;

	/**
	 * @param specs the validated pipelines
	 * @param registry the filter kinds
	 * @param binder binds each filter's options (the application's binder)
	 * @param outcomes where the filters' results and refusals are reported
	 */
	public Pipelines(List<PipelineSpec> specs, FilterRegistry registry, Binder binder, FilterOutcomes outcomes) {
		this(Defined.of(specs, "wsgate.pipelines", binder), registry, outcomes);
	}

	/**
	 * @param pipelines the validated pipelines, each with the binder of its filters' options
	 * (those of {@code wsgate.pipelines} and those of Easegress files)
	 * @param registry the filter kinds
	 * @param outcomes where the filters' results and refusals are reported
	 */
	public Pipelines(List<Defined<PipelineSpec>> pipelines, FilterRegistry registry, FilterOutcomes outcomes) {
		Map<String, Pipeline> map = new LinkedHashMap<>();
		for (Defined<PipelineSpec> defined : pipelines) {
			PipelineSpec spec = defined.spec();
			Map<String, Filter> filters = new HashMap<>();
			for (int f = 0; f < spec.filters().size(); f++) {
				FilterSpec filter = spec.filters().get(f);
				filters.put(filter.name(), registry.create(filter, defined.binder(), defined.filterPath(f), spec.name()));
			}
			map.put(spec.name(), new Pipeline(spec, filters, outcomes));
		}
		this.byName = map;
		this.specs = Defined.specs(pipelines);
	}

	/** The specs of the pipelines, those of wsgate.pipelines and those of Easegress files, in order. */
	public List<PipelineSpec> specs() {
		return specs;
	}

	/** The pipeline of this name; names were checked at startup. */
	public Pipeline get(String name) {
		return byName.get(name);
	}
}
