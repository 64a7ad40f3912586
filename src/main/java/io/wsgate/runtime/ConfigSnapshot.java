package io.wsgate.runtime;

import java.time.Instant;
import java.util.List;

import io.wsgate.config.WsgateProperties;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;

/**
 * One validated configuration: the bound {@code wsgate.*} properties, the property sources they came
 * from (filter options bind from them), its version and when it was read.
 *
 * @param properties the bound configuration
 * @param sources the property sources it was bound from
 * @param binder binds the filters' options from those sources, placeholders resolved
 * @param version a hash of every {@code wsgate.*} key and value: the same configuration has the same version
 * @param loadedAt when it was read
 */
public record ConfigSnapshot(WsgateProperties properties, List<ConfigurationPropertySource> sources, Binder binder,
		String version, Instant loadedAt) {
}
