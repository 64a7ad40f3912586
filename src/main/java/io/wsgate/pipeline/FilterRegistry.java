package io.wsgate.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.FilterKindCatalog;
import io.wsgate.config.FilterOptions;
import io.wsgate.config.FilterSpec;

import org.springframework.boot.context.properties.bind.Binder;

/** The filter kinds known to the gateway, by name. */
public final class FilterRegistry implements FilterKindCatalog {

	private final Map<String, FilterKind<?>> kinds;

	public FilterRegistry(List<? extends FilterKind<?>> kinds) {
		this.kinds = kinds.stream().collect(Collectors.toUnmodifiableMap(FilterKind::name, Function.identity()));
	}

	@Override
	public boolean exists(String kind) {
		return kinds.containsKey(kind);
	}

	@Override
	public Set<String> results(String kind) {
		return kinds.get(kind).results();
	}

	/** The kind of this name, or null. */
	public FilterKind<?> kind(String name) {
		return kinds.get(name);
	}

	@Override
	public Class<?> specType(String kind) {
		FilterKind<?> found = kinds.get(kind);
		return (found != null) ? found.specType() : null;
	}

	@Override
	public void validate(String kind, Object spec, String path, ConfigProblems problems) {
		validate(kinds.get(kind), spec, path, problems);
	}

	/** Creates the filter at {@code path} of a validated configuration: its options bound, then the kind's filter. */
	Filter create(FilterSpec filter, Binder binder, String path, String pipelineName) {
		FilterKind<?> kind = kinds.get(filter.kind());
		return create(kind, FilterOptions.bind(binder, path, kind.specType()), filter.name(), pipelineName);
	}

	private static <S> void validate(FilterKind<S> kind, Object spec, String path, ConfigProblems problems) {
		kind.validate(kind.specType().cast(spec), path, problems);
	}

	private static <S> Filter create(FilterKind<S> kind, Object spec, String filterName, String pipelineName) {
		return kind.create(kind.specType().cast(spec), filterName, pipelineName);
	}
}
