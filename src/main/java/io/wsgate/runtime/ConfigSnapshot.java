package io.wsgate.runtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.wsgate.config.Defined;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.config.WsgateProperties;
import io.wsgate.config.easegress.EasegressObjects;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;

/**
 * One validated configuration: the bound {@code wsgate.*} properties, the property sources they came
 * from (filter options bind from them), the objects of the other sources (Easegress files), its
 * version and when it was read.
 *
 * @param properties the bound configuration
 * @param sources the property sources it was bound from
 * @param binder binds the filters' options from those sources, placeholders resolved
 * @param easegress the Easegress objects of {@code wsgate.easegress.files}
 * @param version a hash of every {@code wsgate.*} key and value and of the Easegress files: the same
 * configuration has the same version
 * @param loadedAt when it was read
 */
public record ConfigSnapshot(WsgateProperties properties, List<ConfigurationPropertySource> sources, Binder binder,
		EasegressObjects easegress, String version, Instant loadedAt) {

	/** The http servers: those of {@code wsgate.http-servers}, then those of the Easegress files. */
	public List<HttpServerSpec> httpServers() {
		List<HttpServerSpec> servers = new ArrayList<>(properties.httpServers());
		servers.addAll(easegress.httpServerSpecs());
		return List.copyOf(servers);
	}

	/** The pipelines with the binder of their filters' options: {@code wsgate.pipelines}, then the Easegress files'. */
	public List<Defined<PipelineSpec>> pipelines() {
		List<Defined<PipelineSpec>> pipelines = new ArrayList<>(Defined.of(properties.pipelines(), "wsgate.pipelines", binder));
		pipelines.addAll(easegress.pipelines());
		return List.copyOf(pipelines);
	}
}
