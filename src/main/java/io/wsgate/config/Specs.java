package io.wsgate.config;

import java.util.List;
import java.util.Map;

/** Null-to-empty helpers for the compact constructors of the spec records. */
final class Specs {

	private Specs() {
	}

	static <T> List<T> list(List<T> list) {
		return (list != null) ? List.copyOf(list) : List.of();
	}

	static <K, V> Map<K, V> map(Map<K, V> map) {
		return (map != null) ? Map.copyOf(map) : Map.of();
	}

	static String text(String text) {
		return (text != null) ? text : "";
	}
}
