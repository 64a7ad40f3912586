package io.wsgate.config;

/**
 * A filter instance of a pipeline ({@code wsgate.pipelines[i].filters[j]}): its kind and its name.
 * The other keys there are the kind's options: each kind binds them to a spec record of its own
 * ({@code FilterKind.specType()}), so this record knows no kind's options.
 *
 * @param kind the filter kind, for example {@code WebSocketProxy}
 * @param name unique name inside the pipeline, referred to by the flow
 */
public record FilterSpec(String kind, String name) {

	public FilterSpec {
		kind = Specs.text(kind);
		name = Specs.text(name);
	}

	/** The key path of filter {@code filter} of pipeline {@code pipeline}, where its options are. */
	public static String path(int pipeline, int filter) {
		return "wsgate.pipelines[" + pipeline + "].filters[" + filter + "]";
	}
}
