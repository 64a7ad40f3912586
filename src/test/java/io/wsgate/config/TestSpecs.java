package io.wsgate.config;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ByteArrayResource;

/**
 * Spec records for tests, built as the configuration builds them: a component not given has its
 * {@code @DefaultValue} (or none, when it has none), so no test repeats a default.
 */
public final class TestSpecs {

	private TestSpecs() {
	}

	/** The record as bound from no keys at all. */
	public static <T extends Record> T defaults(Class<T> type) {
		return new Binder(List.<ConfigurationPropertySource>of()).bindOrCreate("test", Bindable.of(type));
	}

	/**
	 * The record as bound from no keys, with the components named in {@code namesAndValues} (name,
	 * value, name, value ...) set to those values.
	 */
	public static <T extends Record> T spec(Class<T> type, Object... namesAndValues) {
		T defaults = defaults(type);
		RecordComponent[] components = type.getRecordComponents();
		List<String> names = Arrays.stream(components).map(RecordComponent::getName).toList();
		Object[] values = new Object[components.length];
		try {
			for (int i = 0; i < components.length; i++) {
				values[i] = components[i].getAccessor().invoke(defaults);
			}
			for (int i = 0; i < namesAndValues.length; i += 2) {
				int index = names.indexOf((String) namesAndValues[i]);
				if (index < 0) {
					throw new IllegalArgumentException("'" + namesAndValues[i] + "' is no component of " + type.getName());
				}
				values[index] = namesAndValues[i + 1];
			}
			Constructor<T> constructor = type.getDeclaredConstructor(
					Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
			return constructor.newInstance(values);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("cannot build a " + type.getName(), ex);
		}
	}

	/** The YAML as configuration property sources, as the validator reads the application's. */
	public static List<ConfigurationPropertySource> sources(String yaml) {
		try {
			List<ConfigurationPropertySource> list = new ArrayList<>();
			ConfigurationPropertySources.from(new YamlPropertySourceLoader().load("test",
					new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))).forEach(list::add);
			return list;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
