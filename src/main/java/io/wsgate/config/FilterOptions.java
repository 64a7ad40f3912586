package io.wsgate.config;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/** Binds a filter's options, the keys beside its kind and name, to its kind's spec record. */
public final class FilterOptions {

	private FilterOptions() {
	}

	/**
	 * The options of the filter at {@code path} (defaults where none are given).
	 * @throws BindException for a value of the wrong type, naming its key
	 */
	public static <S> S bind(Binder binder, String path, Class<S> specType) {
		return binder.bindOrCreate(path, Bindable.of(specType));
	}

	/** The key and the reason of a failed binding, for a config problem line. */
	public static String[] describe(BindException ex, String path) {
		String key = (ex.getProperty() != null) ? ex.getProperty().getName().toString() : path;
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return new String[] { key, (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName() };
	}
}
