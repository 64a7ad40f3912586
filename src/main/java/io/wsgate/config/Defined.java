package io.wsgate.config;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Binder;

/**
 * An http server or a pipeline as the validator and the runtime see it, wherever it was defined:
 * under {@code wsgate.*}, or in an Easegress file.
 *
 * @param spec the spec
 * @param path its key path; problems name the keys under it, and its filters' options are found in
 * {@code binder} at {@link #filterPath(int)}
 * @param label shown in problems instead of {@code path}, for an object of another file (for
 * example {@code easegress file /etc/chat.yaml, Pipeline 'chat'}; null: the path itself is shown)
 * @param binder binds the options of its filters
 * @param <S> {@link HttpServerSpec} or {@link PipelineSpec}
 */
public record Defined<S>(S spec, String path, @Nullable String label, Binder binder) {

	/** The key path of its filter {@code index}, where that filter's options are. */
	public String filterPath(int index) {
		return path + ".filters[" + index + "]";
	}

	/** The items of a {@code wsgate.*} list, at {@code listPath[i]}, their options bound by the application's binder. */
	public static <S> List<Defined<S>> of(List<S> specs, String listPath, Binder binder) {
		List<Defined<S>> defined = new ArrayList<>();
		for (int i = 0; i < specs.size(); i++) {
			defined.add(new Defined<>(specs.get(i), listPath + "[" + i + "]", null, binder));
		}
		return List.copyOf(defined);
	}

	/** The specs of {@code defined}, in order. */
	public static <S> List<S> specs(List<Defined<S>> defined) {
		return defined.stream().map(Defined::spec).toList();
	}
}
