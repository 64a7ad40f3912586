package io.wsgate.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.FilterKindCatalog;
import io.wsgate.config.FilterSpec;

/** The filter kinds known to the gateway, by name. */
public final class FilterRegistry implements FilterKindCatalog {

	private final Map<String, FilterKind> kinds;

	public FilterRegistry(List<FilterKind> kinds) {
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

	@Override
	public Set<String> options(String kind) {
		return kinds.get(kind).options();
	}

	@Override
	public void validate(FilterSpec spec, String path, ConfigProblems problems) {
		kinds.get(spec.kind()).validate(spec, path, problems);
	}

	Filter create(FilterSpec spec, String pipelineName) {
		return kinds.get(spec.kind()).create(spec, pipelineName);
	}
}
