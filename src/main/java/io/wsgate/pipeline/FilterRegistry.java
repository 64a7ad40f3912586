package io.wsgate.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.FilterKindCatalog;
import io.wsgate.config.FilterOptions;
import io.wsgate.config.FilterSpec;

import org.jspecify.annotations.Nullable;
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
		return known(kind).results();
	}

	/** The kind of this name; null when there is none. */
	public @Nullable FilterKind<?> kind(String name) {
		return kinds.get(name);
	}

	@Override
	public @Nullable Class<?> specType(String kind) {
		FilterKind<?> found = kinds.get(kind);
		return (found != null) ? found.specType() : null;
	}

	@Override
	public void validate(String kind, Object spec, String path, ConfigProblems problems) {
		validate(known(kind), spec, path, problems);
	}

	/** Creates the filter at {@code path} of a validated configuration: its options bound, then the kind's filter. */
	Filter create(FilterSpec filter, Binder binder, String path, String pipelineName) {
		FilterKind<?> kind = known(filter.kind());
		return create(kind, FilterOptions.bind(binder, path, kind.specType()), filter.name(), pipelineName);
	}

	/** A kind the validation has checked exists. */
	private FilterKind<?> known(String kind) {
		return Objects.requireNonNull(kinds.get(kind), () -> "unknown filter kind " + kind);
	}

	private static <S> void validate(FilterKind<S> kind, Object spec, String path, ConfigProblems problems) {
		kind.validate(kind.specType().cast(spec), path, problems);
	}

	private static <S> Filter create(FilterKind<S> kind, Object spec, String filterName, String pipelineName) {
		return kind.create(kind.specType().cast(spec), filterName, pipelineName);
	}
}
