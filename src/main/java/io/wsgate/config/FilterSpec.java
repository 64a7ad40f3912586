package io.wsgate.config;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A filter instance of a pipeline ({@code wsgate.pipelines[i].filters[j]}). The fields after
 * {@code kind} and {@code name} are the options of the built-in kinds; each kind declares the ones
 * it reads ({@code FilterKind.options()}), and the validator rejects any other option given to it.
 *
 * @param kind the filter kind, for example {@code WebSocketProxy}
 * @param name unique name inside the pipeline, referred to by the flow
 * @param defaultOrigin WebSocketProxy: {@code Origin} sent to the backend when the client sent none
 * @param pools WebSocketProxy: server pools; exactly one without {@code filter}
 * @param compression WebSocketProxy: {@code passthrough} (the default, when empty): the client's permessage-deflate
 * offer goes to the backend and its answer comes back; {@code off}: never negotiated
 */
public record FilterSpec(String kind, String name, String defaultOrigin, List<PoolSpec> pools, String compression) {

	public FilterSpec {
		kind = Specs.text(kind);
		name = Specs.text(name);
		defaultOrigin = Specs.text(defaultOrigin);
		pools = Specs.list(pools);
		// Left empty when unset, so that only a compression someone wrote counts as given to a kind.
		compression = Specs.text(compression);
	}

	/**
	 * The names of the options given: the fields after {@code kind} and {@code name} that are
	 * neither null nor empty. Read from the record, so an option added to it is covered too.
	 */
	public Set<String> givenOptions() {
		Set<String> given = new TreeSet<>();
		for (RecordComponent component : FilterSpec.class.getRecordComponents()) {
			String option = component.getName();
			if (!option.equals("kind") && !option.equals("name") && isGiven(value(component))) {
				given.add(option);
			}
		}
		return given;
	}

	private Object value(RecordComponent component) {
		try {
			return component.getAccessor().invoke(this);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean isGiven(Object value) {
		return !(value == null || "".equals(value) || (value instanceof Collection<?> c && c.isEmpty())
				|| (value instanceof Map<?, ?> m && m.isEmpty()));
	}
}
