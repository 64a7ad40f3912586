package io.wsgate.pipeline;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.wsgate.config.Defined;
import io.wsgate.config.FilterSpec;
import io.wsgate.config.PipelineSpec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import org.springframework.boot.context.properties.bind.Binder;

/** The pipelines of the configuration, by name. */
public final class Pipelines {

	private static final Log logger = LogFactory.getLog(Pipelines.class);

	private final Map<String, Pipeline> byName;

	private final List<PipelineSpec> specs;

	private final Map<String, List<Filter>> filtersByPipeline;

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
		Map<String, List<Filter>> made = new LinkedHashMap<>();
		try {
			for (Defined<PipelineSpec> defined : pipelines) {
				PipelineSpec spec = defined.spec();
				Map<String, Filter> filters = new HashMap<>();
				made.put(spec.name(), List.of());
				for (int f = 0; f < spec.filters().size(); f++) {
					FilterSpec filter = spec.filters().get(f);
					filters.put(filter.name(), registry.create(filter, defined.binder(), defined.filterPath(f), spec.name()));
					made.put(spec.name(), List.copyOf(filters.values()));
				}
				map.put(spec.name(), new Pipeline(spec, filters, outcomes));
			}
		}
		catch (RuntimeException ex) {
			// A filter that cannot be made: the ones made before it are released.
			made.values().forEach(filters -> filters.forEach(Pipelines::close));
			throw ex;
		}
		this.byName = map;
		this.specs = Defined.specs(pipelines);
		this.filtersByPipeline = made;
	}

	/** The specs of the pipelines, those of wsgate.pipelines and those of Easegress files, in order. */
	public List<PipelineSpec> specs() {
		return specs;
	}

	/** The names of the pipelines, in configuration order. */
	public Set<String> names() {
		return byName.keySet();
	}

	/** The filters of a pipeline, for closing those that hold resources when it is replaced. */
	public List<Filter> filters(String pipeline) {
		return filtersByPipeline.getOrDefault(pipeline, List.of());
	}

	/**
	 * Releases what a filter holds, if it holds anything: a filter that implements
	 * {@link AutoCloseable} or Reactor's {@link Disposable} is closed (once no session uses it, when
	 * its configuration is replaced). A failure is logged, never thrown.
	 */
	public static void close(Filter filter) {
		try {
			if (filter instanceof AutoCloseable closeable) {
				closeable.close();
			}
			else if (filter instanceof Disposable disposable) {
				disposable.dispose();
			}
		}
		catch (Exception ex) {
			logger.warn("filter " + filter + " failed to close: " + ex, ex);
		}
	}

	/** The pipeline of this name; null when there is none (names were checked at startup). */
	public @Nullable Pipeline get(String name) {
		return byName.get(name);
	}
}
