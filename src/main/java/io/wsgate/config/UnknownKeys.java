package io.wsgate.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Finds keys under {@code wsgate} that no spec record has, such as a misspelt
 * {@code clientMaxMsgSise}, so they stop startup instead of being silently ignored. (Spring Boot's
 * own unknown-field check does not look inside list elements.) Keys are compared the relaxed way:
 * case and dashes do not matter. Environment variables are not checked.
 */
public final class UnknownKeys {

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("wsgate");

	private UnknownKeys() {
	}

	/** Adds a problem for every unknown key found in the property sources. */
	public static void check(Iterable<ConfigurationPropertySource> sources, FilterKindCatalog kinds, ConfigProblems problems) {
		Map<String, String> unknown = new TreeMap<>();
		Function<ConfigurationPropertyName, String> kindAt = filter -> kindAt(sources, filter);
		for (ConfigurationPropertySource source : sources) {
			// Environment variables are left out: Kubernetes defines WSGATE_PORT and the like for a
			// Service named wsgate, which are no gateway options.
			if (source instanceof IterableConfigurationPropertySource iterable
					&& !(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)) {
				iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> {
					Unknown found = firstUnknown(name, kindAt, kinds);
					if (found != null) {
						unknown.putIfAbsent(original(found.key()), found.reason());
					}
				});
			}
		}
		unknown.forEach(problems::add);
	}

	/**
	 * The first element of a key that no spec has, with the reason (null: the key is known).
	 * Under a filter, the keys beside {@code kind} and {@code name} are checked against the spec of
	 * the filter's kind.
	 *
	 * @param kindAt the kind of the filter whose key path is given (null: none is set)
	 */
	static @Nullable Unknown firstUnknown(ConfigurationPropertyName name, Function<ConfigurationPropertyName, String> kindAt,
			FilterKindCatalog kinds) {
		return firstUnknown(name, 1, WsgateProperties.class, kindAt, kinds);
	}

	/**
	 * The keys of {@code source} under {@code root} that the record {@code type} (bound at
	 * {@code root}) does not have, each with the reason, in key order. Under a filter, the keys
	 * beside {@code kind} and {@code name} are checked against the spec of the filter's kind (found
	 * in {@code source}): for objects read from other files than {@code wsgate.*}.
	 */
	public static Map<String, String> find(IterableConfigurationPropertySource source, ConfigurationPropertyName root,
			Class<?> type, FilterKindCatalog kinds) {
		Map<String, String> unknown = new TreeMap<>();
		Function<ConfigurationPropertyName, String> kindAt = filter -> kindAt(List.<ConfigurationPropertySource>of(source), filter);
		source.stream().filter(root::isAncestorOf).forEach(name -> {
			Unknown found = firstUnknown(name, root.getNumberOfElements(), type, kindAt, kinds);
			if (found != null) {
				unknown.putIfAbsent(original(found.key()), found.reason());
			}
		});
		return unknown;
	}

	/** The reason given for a key that no spec has, whatever the filter kinds. */
	public static boolean isUnknown(String reason) {
		return UNKNOWN.equals(reason);
	}

	private static @Nullable Unknown firstUnknown(ConfigurationPropertyName name, int start, Type rootType,
			Function<ConfigurationPropertyName, String> kindAt, FilterKindCatalog kinds) {
		Type type = rootType;
		for (int i = start; i < name.getNumberOfElements(); i++) {
			Class<?> raw = rawClass(type);
			if (name.isNumericIndex(i)) {
				if (!List.class.isAssignableFrom(raw)) {
					return new Unknown(name.chop(i + 1), UNKNOWN);
				}
				type = typeArgument(type, 0);
			}
			else if (Map.class.isAssignableFrom(raw)) {
				type = typeArgument(type, 1);
			}
			else if (raw.isRecord()) {
				String element = name.getElement(i, Form.UNIFORM);
				Type next = component(raw, element);
				if (next == null && raw == FilterSpec.class) {
					String kind = kindAt.apply(name.chop(i));
					Class<?> spec = (kind != null) ? kinds.specType(kind) : null;
					if (spec == null) {
						// No kind, or an unknown one: the validator reports that.
						return null;
					}
					next = component(spec, element);
					if (next == null) {
						return new Unknown(name.chop(i + 1), "not an option of " + kind);
					}
				}
				if (next == null) {
					return new Unknown(name.chop(i + 1), UNKNOWN);
				}
				type = next;
			}
			else {
				return new Unknown(name.chop(i + 1), UNKNOWN);
			}
		}
		return null;
	}

	/**
	 * An unknown key and why.
	 *
	 * @param key the key, up to its first unknown element
	 * @param reason the problem's text
	 */
	record Unknown(ConfigurationPropertyName key, String reason) {
	}

	private static final String UNKNOWN = "unknown key (check its spelling against the documented keys)";

	/** The {@code kind} of the filter at {@code filter}, from whichever source sets it. */
	private static @Nullable String kindAt(Iterable<ConfigurationPropertySource> sources, ConfigurationPropertyName filter) {
		ConfigurationPropertyName kind = filter.append("kind");
		for (ConfigurationPropertySource source : sources) {
			ConfigurationProperty property = source.getConfigurationProperty(kind);
			if (property != null && property.getValue() != null) {
				return property.getValue().toString().trim();
			}
		}
		return null;
	}

	private static @Nullable Type component(Class<?> record, String uniformName) {
		for (RecordComponent component : record.getRecordComponents()) {
			if (component.getName().toLowerCase(Locale.ROOT).equals(uniformName)) {
				return component.getGenericType();
			}
		}
		return null;
	}

	private static Class<?> rawClass(Type type) {
		return (type instanceof ParameterizedType parameterized) ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
	}

	private static Type typeArgument(Type type, int index) {
		return ((ParameterizedType) type).getActualTypeArguments()[index];
	}

	private static String original(ConfigurationPropertyName name) {
		StringBuilder key = new StringBuilder();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			if (name.isNumericIndex(i)) {
				key.append('[').append(name.getElement(i, Form.ORIGINAL)).append(']');
			}
			else {
				key.append(key.isEmpty() ? "" : ".").append(name.getElement(i, Form.ORIGINAL));
			}
		}
		return key.toString();
	}
}
