package io.wsgate.config.easegress;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.wsgate.config.ConfigProblems;
import io.wsgate.config.Defined;
import io.wsgate.config.FilterKindCatalog;
import io.wsgate.config.FilterOptions;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.config.UnknownKeys;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Reads Easegress objects from YAML files ({@code wsgate.easegress.files}): files, or folders whose
 * {@code *.yaml} and {@code *.yml} files are read in name order; each file holds one or more YAML
 * documents, each an object of {@code kind: HTTPServer} or {@code kind: Pipeline}.
 * <ul>
 * <li>A Pipeline binds as {@code wsgate.pipelines[i]} does; its filters' options bind through a
 * {@link Binder} over its document, so every filter kind works unchanged.</li>
 * <li>An HTTPServer's keys are mapped to a {@link HttpServerSpec} ({@link HttpServerObject}).</li>
 * <li>Every key wsgate does not map is a problem ("not supported by wsgate"), as is any other kind.</li>
 * </ul>
 * Problems name the file, the object and the key:
 * {@code easegress file /etc/wsgate/easegress/chat.yaml, HTTPServer 'chat': rules[0].hostRegexp: not supported by wsgate}.
 * The objects are not checked against each other or against {@code wsgate.*} here: the
 * {@link io.wsgate.config.ConfigValidator} does that, with the same rules for both.
 * <p>
 * Stateless: {@link #load} reads the files anew at each call (at startup, and at each reload). It
 * reads files, so it must not run on an event loop.
 */
public final class EasegressLoader {

	/** The key of the locations. */
	public static final String KEY = "wsgate.easegress.files";

	private EasegressLoader() {
	}

	/** Reads the objects of {@code locations} ({@code file:} paths), with {@code kinds} to check filter options. */
	public static EasegressObjects load(List<String> locations, FilterKindCatalog kinds) {
		return load(locations, kinds, new DefaultResourceLoader());
	}

	/** Reads the objects of {@code locations}, resolved by {@code resources}, with {@code kinds} to check filter options. */
	public static EasegressObjects load(List<String> locations, FilterKindCatalog kinds, ResourceLoader resources) {
		if (locations.isEmpty()) {
			return EasegressObjects.NONE;
		}
		Reading reading = new Reading(kinds);
		for (int i = 0; i < locations.size(); i++) {
			String location = (locations.get(i) != null) ? locations.get(i).strip() : "";
			String key = KEY + "[" + i + "]";
			if (location.isEmpty()) {
				reading.problems.add(key, "is empty (expected the location of a file or folder, e.g. file:/etc/wsgate/easegress/)");
				continue;
			}
			Resource resource = resources.getResource(location);
			if (!resource.exists()) {
				reading.problems.add(key, "'" + location + "' does not exist");
				continue;
			}
			try {
				for (Resource file : files(resource)) {
					reading.file(file);
				}
			}
			catch (IOException | UncheckedIOException ex) {
				reading.problems.add(key, "'" + location + "' cannot be read: " + ex.getMessage());
			}
		}
		return new EasegressObjects(reading.httpServers, reading.pipelines, reading.problems.list(), reading.files);
	}

	/** A file itself, or the {@code *.yaml}/{@code *.yml} files of a folder in name order (hidden ones left out). */
	private static List<Resource> files(Resource resource) throws IOException {
		File file = resource.isFile() ? resource.getFile() : null;
		if (file == null || !file.isDirectory()) {
			return List.of(resource);
		}
		try (Stream<Path> entries = Files.list(file.toPath())) {
			// A Kubernetes ConfigMap mount: name.yaml links into ..data/, which is hidden.
			return entries.filter(entry -> {
				String name = entry.getFileName().toString();
				return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(entry);
			}).sorted().map(entry -> (Resource) new org.springframework.core.io.FileSystemResource(entry)).toList();
		}
	}

	/** One call's reading: what was found so far. */
	private static final class Reading {

		private final FilterKindCatalog kinds;

		private final ConfigProblems problems = new ConfigProblems();

		private final List<Defined<HttpServerSpec>> httpServers = new ArrayList<>();

		private final List<Defined<PipelineSpec>> pipelines = new ArrayList<>();

		private final List<String> files = new ArrayList<>();

		private int objects;

		Reading(FilterKindCatalog kinds) {
			this.kinds = kinds;
		}

		void file(Resource resource) throws IOException {
			String file = resource.isFile() ? resource.getFile().getPath() : resource.getDescription();
			files.add(file);
			String text = resource.getContentAsString(StandardCharsets.UTF_8);
			LoaderOptions options = new LoaderOptions();
			options.setAllowDuplicateKeys(false);
			int document = 0;
			try {
				for (Object object : new Yaml(new SafeConstructor(options)).loadAll(text)) {
					document++;
					object(file, document, object);
				}
			}
			catch (YAMLException ex) {
				problems.add("easegress file " + file, "not valid YAML: " + String.valueOf(ex.getMessage()).replaceAll("\\s+", " ").strip());
			}
		}

		private void object(String file, int document, @Nullable Object object) {
			if (object == null) {
				// An empty document, as after a trailing ---.
				return;
			}
			String where = "easegress file " + file + ", document " + document;
			if (!(object instanceof Map<?, ?>)) {
				problems.add(where, "expected an object of kind HTTPServer or Pipeline");
				return;
			}
			Map<String, Object> tree = tree(object);
			Object kind = tree.get("kind");
			Object name = tree.get("name");
			String root = "easegress[" + objects++ + "]";
			String label = "easegress file " + file + ", " + kind
					+ ((name != null && !name.toString().isBlank()) ? " '" + name + "'" : " (document " + document + ")");
			if (HttpServerSpec.KIND.equals(kind)) {
				problems.label(root, label);
				Map<String, Object> mapped = HttpServerObject.map(tree, (key, message) -> problems.add(root + "." + key, message));
				Defined<HttpServerSpec> server = bind(root, label, mapped, HttpServerSpec.class);
				if (server != null) {
					httpServers.add(server);
				}
			}
			else if (PipelineSpec.KIND.equals(kind)) {
				problems.label(root, label);
				Defined<PipelineSpec> pipeline = bind(root, label, tree, PipelineSpec.class);
				if (pipeline != null) {
					pipelines.add(pipeline);
				}
			}
			else if (kind == null) {
				problems.add(where, "kind is required (HTTPServer or Pipeline)");
			}
			else {
				problems.add(where, "kind '" + kind + "' is " + HttpServerObject.NOT_SUPPORTED
						+ " (expected: HTTPServer or Pipeline)");
			}
		}

		/**
		 * Binds {@code tree} at {@code root} to {@code type}, over a source of its own, after finding
		 * the keys that {@code type} (or, under a filter, its kind's spec) does not have (null: it did
		 * not bind, a problem told).
		 */
		private <S> @Nullable Defined<S> bind(String root, String label, Map<String, Object> tree, Class<S> type) {
			Map<String, Object> flat = new LinkedHashMap<>();
			flatten(flat, root, tree, false);
			MapConfigurationPropertySource source = new MapConfigurationPropertySource(flat);
			// An empty object ({}) is no value to bind, but its key is one to check.
			Map<String, Object> keys = new LinkedHashMap<>();
			flatten(keys, root, tree, true);
			ConfigurationPropertyName name = ConfigurationPropertyName.of(root);
			UnknownKeys.find(new MapConfigurationPropertySource(keys), name, type, kinds).forEach((key, reason) -> problems.add(key,
					HttpServerObject.NOT_SUPPORTED + (UnknownKeys.isUnknown(reason) ? "" : " (" + reason + ")")));
			Binder binder = new Binder(source);
			try {
				return new Defined<>(binder.bindOrCreate(root, Bindable.of(type)), root, label, binder);
			}
			catch (BindException ex) {
				String[] problem = FilterOptions.describe(ex, root);
				problems.add(problem[0], problem[1]);
				return null;
			}
		}
	}

	/** A YAML tree with string keys. */
	@SuppressWarnings("unchecked")
	private static <T> T tree(Object value) {
		if (value instanceof Map<?, ?> map) {
			Map<String, Object> copy = new LinkedHashMap<>();
			map.forEach((key, item) -> copy.put(String.valueOf(key), tree(item)));
			return (T) copy;
		}
		if (value instanceof List<?> list) {
			List<Object> copy = new ArrayList<>();
			list.forEach(item -> copy.add(tree(item)));
			return (T) copy;
		}
		return (T) value;
	}

	/**
	 * Flattens as Spring Boot flattens application.yml: {@code a.b[0].c}; an empty list or null is
	 * "", an empty map nothing (or "" with {@code emptyMaps}).
	 */
	private static void flatten(Map<String, Object> flat, String path, Object value, boolean emptyMaps) {
		if (value instanceof Map<?, ?> map) {
			if (map.isEmpty() && emptyMaps) {
				flat.put(path, "");
			}
			map.forEach((key, item) -> {
				String name = key.toString();
				flatten(flat, name.startsWith("[") ? path + name : path + "." + name, item, emptyMaps);
			});
		}
		else if (value instanceof List<?> list) {
			if (list.isEmpty()) {
				flat.put(path, "");
			}
			for (int i = 0; i < list.size(); i++) {
				flatten(flat, path + "[" + i + "]", list.get(i), emptyMaps);
			}
		}
		else {
			flat.put(path, (value != null) ? value : "");
		}
	}
}
