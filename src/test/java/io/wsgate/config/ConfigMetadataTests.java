package io.wsgate.config;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata the build generates (IDE completion, docs) carries the default of every
 * {@code wsgate.*} key, taken from the records' {@code @DefaultValue}s: a default dropped from a record
 * fails here, not in a user's IDE.
 */
class ConfigMetadataTests {

	private static final Path METADATA = Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");

	/** The keys that have no default, and why. */
	private static final Map<String, String> NO_DEFAULT = Map.of(
			"wsgate.http-servers", "a list: none unless given",
			"wsgate.pipelines", "a list: none unless given",
			"wsgate.easegress.files", "a list: none unless given");

	@Test
	void everyKeyOfTheRecordsHasItsDefaultInTheMetadata() throws IOException {
		Map<String, Object> defaults = metadataDefaults();
		Map<String, Class<?>> keys = new TreeMap<>();
		leaves(WsgateProperties.class, "wsgate", keys);
		assertThat(keys).hasSizeGreaterThan(10);
		for (String key : keys.keySet()) {
			assertThat(defaults).as(key + " is in the metadata").containsKey(key);
			if (NO_DEFAULT.containsKey(key)) {
				assertThat(defaults.get(key)).as(key + " has no default: " + NO_DEFAULT.get(key)).isNull();
			}
			else {
				assertThat(defaults.get(key)).as(key + " has a default (@DefaultValue on its record)").isNotNull();
			}
		}
	}

	@Test
	void theDefaultsAreThoseOfTheDocs() throws IOException {
		assertThat(metadataDefaults()).containsEntry("wsgate.access-log.enabled", true)
			.containsEntry("wsgate.access-log.format", "kv")
			.containsEntry("wsgate.demo.port", 12345)
			.containsEntry("wsgate.limits.max-sessions", 0)
			.containsEntry("wsgate.limits.retry-after", "5s")
			.containsEntry("wsgate.shutdown.drain-period", "10s")
			.containsEntry("wsgate.reload.enabled", false)
			.containsEntry("wsgate.reload.removed-servers", "keep")
			.containsEntry("wsgate.warmup.enabled", false)
			.containsEntry("wsgate.warmup.sessions", 20000)
			.containsEntry("wsgate.warmup.concurrency", 64)
			.containsEntry("wsgate.warmup.max-duration", "60s");
	}

	@Test
	void nothingConfiguredBindsTheDefaults() {
		WsgateProperties properties = new Binder(new MapConfigurationPropertySource(Map.of()))
			.bindOrCreate("wsgate", Bindable.of(WsgateProperties.class));

		assertThat(properties.accessLog().enabled()).isTrue();
		assertThat(properties.accessLog().parsedFormat()).isEqualTo(AccessLogSpec.Format.KV);
		assertThat(properties.demo().port()).isEqualTo(12345);
		assertThat(properties.limits().retryAfter()).hasSeconds(5);
		assertThat(properties.shutdown().drainPeriod()).hasSeconds(10);
		assertThat(properties.reload().drainsRemovedServers()).isFalse();
		assertThat(properties.easegress().files()).isEmpty();
		assertThat(properties.warmup().enabled()).isFalse();
		assertThat(properties.warmup().maxDuration()).hasSeconds(60);
		assertThat(properties.httpServers()).isEmpty();
	}

	@Test
	void limitsMadeInCodeHaveTheDefaultsOfTheAnnotations() {
		WsgateProperties.LimitsSpec limits = WsgateProperties.LimitsSpec.defaults();

		assertThat(limits.maxSessions()).isZero();
		assertThat(limits.maxSessionsPerClientIp()).isZero();
		assertThat(limits.retryAfter()).hasSeconds(5);
	}

	@Test
	void aBlankAccessLogFormatIsTheDefault() {
		WsgateProperties properties = new Binder(new MapConfigurationPropertySource(Map.of("wsgate.access-log.format", "")))
			.bindOrCreate("wsgate", Bindable.of(WsgateProperties.class));

		assertThat(properties.accessLog().format()).isEqualTo("kv");
	}

	/** The keys under {@code prefix} of {@code type}, a record: a nested record's keys, or the key itself. */
	private static void leaves(Class<?> type, String prefix, Map<String, Class<?>> keys) {
		for (RecordComponent component : type.getRecordComponents()) {
			String key = prefix + "." + dashed(component.getName());
			if (component.getType().isRecord()) {
				leaves(component.getType(), key, keys);
			}
			else {
				keys.put(key, component.getType());
			}
		}
	}

	private static String dashed(String camel) {
		return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
	}

	private static Map<String, Object> metadataDefaults() throws IOException {
		List<Map<String, Object>> properties = JsonPath.read(Files.readString(METADATA), "$.properties");
		Map<String, Object> defaults = new HashMap<>();
		for (Map<String, Object> property : properties) {
			defaults.put((String) property.get("name"), property.get("defaultValue"));
		}
		return defaults;
	}
}
