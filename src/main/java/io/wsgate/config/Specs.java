package io.wsgate.config;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;

/** Null-to-empty helpers for the compact constructors of the spec records, and their defaults. */
final class Specs {

	private Specs() {
	}

	static <T> List<T> list(List<T> list) {
		return (list != null) ? List.copyOf(list) : List.of();
	}

	static <K, V> Map<K, V> map(Map<K, V> map) {
		return (map != null) ? Map.copyOf(map) : Map.of();
	}

	/**
	 * A record as bound from no keys at all: what its {@code @DefaultValue}s say, for the code that
	 * needs one without a configuration (the annotations stay the one place of each default).
	 */
	static <T> T defaults(Class<T> type) {
		return new Binder(List.<ConfigurationPropertySource>of()).bindOrCreate("defaults", Bindable.of(type));
	}

	static String text(String text) {
		return (text != null) ? text : "";
	}
}
