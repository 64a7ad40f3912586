package io.wsgate.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.wsgate.config.ConfigValidator;
import io.wsgate.config.FilterKindCatalog;
import io.wsgate.config.InvalidConfigException;
import io.wsgate.config.WsgateProperties;
import io.wsgate.config.easegress.EasegressLoader;
import io.wsgate.config.easegress.EasegressObjects;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Reads configuration snapshots. At startup, from the Environment as Spring Boot bound it; on a
 * reload, the config files Spring Boot loaded (the {@code Config resource} property sources of the
 * Environment, found by their origin) are read again, in place, and {@code wsgate.*} is bound anew
 * over them with the other sources (command line, system properties, environment) unchanged. Either
 * way the snapshot is validated by {@link ConfigValidator}, so every startup error is a reload
 * rejection.
 * <p>
 * The other sources of http servers and pipelines are read with it ({@link #snapshot}: the
 * Easegress objects of {@code wsgate.easegress.files}), validated with it, and versioned and
 * watched with it; one more source is a few lines there and in {@link ConfigSnapshot}.
 */
public final class SnapshotLoader {

	/** How Spring Boot names the property source of a config file (and of each of its YAML documents). */
	private static final String CONFIG_RESOURCE = "Config resource '";

	private static final String DOCUMENT = " (document #";

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("wsgate");

	private final ConfigurableEnvironment environment;

	private final FilterKindCatalog kinds;

	private final Set<String> sslBundles;

	public SnapshotLoader(ConfigurableEnvironment environment, FilterKindCatalog kinds, Set<String> sslBundles) {
		this.environment = environment;
		this.kinds = kinds;
		this.sslBundles = sslBundles;
	}

	/** The configuration Spring Boot bound at startup, validated. */
	public ConfigSnapshot startup(WsgateProperties properties) {
		return snapshot(properties, list(ConfigurationPropertySources.get(environment)), Binder.get(environment));
	}

	/**
	 * A configuration the gateway writes itself (the warm-up's loopback route), bound and validated as
	 * a user's is: a problem in it is a bug, thrown as {@link InvalidConfigException}.
	 *
	 * @param keys {@code wsgate.*} keys and their values
	 */
	public static ConfigSnapshot fixed(Map<String, ?> keys, FilterKindCatalog kinds) {
		List<ConfigurationPropertySource> sources = List.of(new MapConfigurationPropertySource(keys));
		Binder binder = new Binder(sources);
		WsgateProperties properties = binder.bindOrCreate("wsgate", Bindable.of(WsgateProperties.class));
		return new SnapshotLoader(new StandardEnvironment(), kinds, Set.of()).snapshot(properties, sources, binder);
	}

	/** Reads the other sources of the configuration (Easegress files), validates it all, and versions it. */
	private ConfigSnapshot snapshot(WsgateProperties properties, List<ConfigurationPropertySource> sources, Binder binder) {
		EasegressObjects easegress = EasegressLoader.load(properties.easegress().files(), kinds);
		new ConfigValidator(kinds, sslBundles).validate(properties, sources, binder, easegress);
		return new ConfigSnapshot(properties, sources, binder, easegress, version(sources, easegress.files()), Instant.now());
	}

	/**
	 * The config files read again, bound and validated.
	 *
	 * @throws InvalidConfigException listing every problem, each with its key path (or file)
	 */
	public ConfigSnapshot reload() {
		MutablePropertySources propertySources = sources();
		List<ConfigurationPropertySource> sources = list(ConfigurationPropertySources.from(propertySources));
		Binder binder = new Binder(sources, new PropertySourcesPlaceholdersResolver(propertySources));
		WsgateProperties properties;
		try {
			properties = binder.bindOrCreate("wsgate", Bindable.of(WsgateProperties.class));
		}
		catch (BindException ex) {
			String key = (ex.getProperty() != null) ? ex.getProperty().getName().toString() : "wsgate";
			throw new InvalidConfigException(List.of(key + ": " + rootMessage(ex)));
		}
		return snapshot(properties, sources, binder);
	}

	/** The Easegress locations of the configuration in force that are folders (a file added there counts). */
	public List<Path> folders(ConfigSnapshot inForce) {
		List<Path> folders = new ArrayList<>();
		for (String location : inForce.properties().easegress().files()) {
			String path = (location != null) ? location.strip() : "";
			path = path.startsWith("file:") ? path.substring("file:".length()) : path;
			if (!path.isEmpty() && Files.isDirectory(Path.of(path))) {
				folders.add(Path.of(path).toAbsolutePath());
			}
		}
		return List.copyOf(folders);
	}

	/**
	 * The config files on disk that Spring Boot loaded the configuration from, and the Easegress
	 * files of the configuration in force (for watching).
	 */
	public List<Path> files(ConfigSnapshot inForce) {
		Set<Path> files = new LinkedHashSet<>();
		inForce.easegress().files().forEach(file -> files.add(Path.of(file).toAbsolutePath()));
		for (PropertySource<?> source : environment.getPropertySources()) {
			Resource resource = configResource(source);
			if (resource != null && !(resource instanceof ClassPathResource) && resource.isFile()) {
				try {
					files.add(resource.getFile().toPath().toAbsolutePath());
				}
				catch (IOException ex) {
					// Not a file after all: nothing to watch.
				}
			}
		}
		return List.copyOf(files);
	}

	/**
	 * The Environment's property sources with the config files read again. A document that a file no
	 * longer has is left out; a document it did not have at startup (a profile's, say) is not added.
	 */
	MutablePropertySources sources() {
		MutablePropertySources result = new MutablePropertySources();
		Map<String, List<PropertySource<?>>> reread = new HashMap<>();
		List<String> problems = new ArrayList<>();
		for (PropertySource<?> source : environment.getPropertySources()) {
			if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
				continue;
			}
			Resource resource = configResource(source);
			if (resource == null) {
				result.addLast(source);
				continue;
			}
			String file = baseName(source.getName());
			List<PropertySource<?>> documents = reread.computeIfAbsent(file, name -> {
				try {
					return loader(resource).load(name, resource);
				}
				catch (IOException | RuntimeException ex) {
					problems.add(resource.getDescription() + ": cannot be read: " + rootMessage(ex));
					return List.of();
				}
			});
			documents.stream().filter(d -> d.getName().equals(source.getName())).findFirst().ifPresent(result::addLast);
		}
		if (!problems.isEmpty()) {
			throw new InvalidConfigException(problems);
		}
		return result;
	}

	/**
	 * The file of a config file's property source (any of its values knows where it came from); null
	 * when the source is no config file.
	 */
	static @Nullable Resource configResource(PropertySource<?> source) {
		if (!source.getName().startsWith(CONFIG_RESOURCE) || !(source instanceof OriginLookup<?>)
				|| !(source instanceof EnumerablePropertySource<?> enumerable)) {
			return null;
		}
		@SuppressWarnings("unchecked")
		OriginLookup<String> lookup = (OriginLookup<String>) source;
		for (String name : enumerable.getPropertyNames()) {
			Origin origin = lookup.getOrigin(name);
			while (origin != null) {
				if (origin instanceof TextResourceOrigin text && text.getResource() != null) {
					return text.getResource();
				}
				origin = origin.getParent();
			}
		}
		return null;
	}

	private static String baseName(String name) {
		int document = name.lastIndexOf(DOCUMENT);
		return (document > 0) ? name.substring(0, document) : name;
	}

	private static PropertySourceLoader loader(Resource resource) {
		String name = (resource.getFilename() != null) ? resource.getFilename() : "";
		return (name.endsWith(".properties") || name.endsWith(".xml")) ? new PropertiesPropertySourceLoader()
				: new YamlPropertySourceLoader();
	}

	/**
	 * A hash of every {@code wsgate.*} key and its value as written (the first source that has a key
	 * wins), and of the content of the other files read (Easegress objects).
	 */
	static String version(List<ConfigurationPropertySource> sources, List<String> otherFiles) {
		Map<String, String> keys = new TreeMap<>();
		for (ConfigurationPropertySource source : sources) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> {
					ConfigurationProperty property = source.getConfigurationProperty(name);
					keys.putIfAbsent(name.toString(), (property != null) ? String.valueOf(property.getValue()) : "");
				});
			}
		}
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			keys.forEach((key, value) -> digest.update((key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8)));
			for (String file : otherFiles) {
				digest.update((file + "\n").getBytes(StandardCharsets.UTF_8));
				try {
					digest.update(Files.readAllBytes(Path.of(file)));
				}
				catch (IOException | RuntimeException ex) {
					// Read a moment ago by the loader; gone since: the next change is seen anyway.
				}
			}
			return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<ConfigurationPropertySource> list(Iterable<ConfigurationPropertySource> sources) {
		List<ConfigurationPropertySource> list = new ArrayList<>();
		sources.forEach(list::add);
		return List.copyOf(list);
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
	}
}
