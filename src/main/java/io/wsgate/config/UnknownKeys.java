package io.wsgate.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
	public static void check(Iterable<ConfigurationPropertySource> sources, ConfigProblems problems) {
		Set<String> unknown = new TreeSet<>();
		for (ConfigurationPropertySource source : sources) {
			// Environment variables are left out: Kubernetes defines WSGATE_PORT and the like for a
			// Service named wsgate, which are no gateway options.
			if (source instanceof IterableConfigurationPropertySource iterable
					&& !(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)) {
				iterable.stream().filter(ROOT::isAncestorOf).filter(name -> !isKnown(name))
					.forEach(name -> unknown.add(original(name)));
			}
		}
		unknown.forEach(key -> problems.add(key, "unknown key (check its spelling against the documented keys)"));
	}

	static boolean isKnown(ConfigurationPropertyName name) {
		Type type = WsgateProperties.class;
		for (int i = 1; i < name.getNumberOfElements(); i++) {
			Class<?> raw = rawClass(type);
			if (name.isNumericIndex(i)) {
				if (!List.class.isAssignableFrom(raw)) {
					return false;
				}
				type = typeArgument(type, 0);
			}
			else if (Map.class.isAssignableFrom(raw)) {
				type = typeArgument(type, 1);
			}
			else if (raw.isRecord()) {
				type = component(raw, name.getElement(i, Form.UNIFORM));
				if (type == null) {
					return false;
				}
			}
			else {
				return false;
			}
		}
		return true;
	}

	private static Type component(Class<?> record, String uniformName) {
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
