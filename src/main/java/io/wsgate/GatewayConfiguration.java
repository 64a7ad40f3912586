package io.wsgate;

import java.util.List;

import io.wsgate.config.ConfigValidator;
import io.wsgate.config.WsgateProperties;
import io.wsgate.demo.EchoBackend;
import io.wsgate.health.GatewayHealthContributor;
import io.wsgate.health.HealthCheckScheduler;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.proxy.BackendDialer;
import io.wsgate.proxy.WebSocketProxyKind;
import io.wsgate.server.Listeners;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Wires the gateway: validates the configuration once, builds the pipelines from the filter
 * kinds, and starts the listeners.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

	@Bean
	PoolRegistry poolRegistry() {
		return new PoolRegistry();
	}

	@Bean
	BackendDialer backendDialer() {
		return new BackendDialer();
	}

	@Bean
	WebSocketProxyKind webSocketProxyKind(BackendDialer dialer, PoolRegistry pools) {
		return new WebSocketProxyKind(dialer, pools);
	}

	@Bean
	FilterRegistry filterRegistry(List<FilterKind> kinds) {
		return new FilterRegistry(kinds);
	}

	@Bean
	Pipelines pipelines(WsgateProperties properties, FilterRegistry registry, Environment environment) {
		new ConfigValidator(registry).validate(properties, ConfigurationPropertySources.get(environment));
		return new Pipelines(properties.pipelines(), registry);
	}

	@Bean
	Listeners listeners(WsgateProperties properties, Pipelines pipelines, ReactorResourceFactory resources) {
		return new Listeners(properties.httpServers(), pipelines, resources);
	}

	@Bean
	HealthCheckScheduler healthCheckScheduler(PoolRegistry pools, Pipelines pipelines) {
		// Depends on the pipelines: they register the pools.
		return new HealthCheckScheduler(pools);
	}

	/** Actuator health component "wsgate": pipeline, pool, servers. */
	@Bean("wsgate")
	HealthContributor wsgateHealthContributor(PoolRegistry pools, Pipelines pipelines) {
		return GatewayHealthContributor.of(pools);
	}

	@Bean
	@ConditionalOnProperty(name = "wsgate.demo.enabled", havingValue = "true")
	EchoBackend demoEchoBackend(WsgateProperties properties) {
		return new EchoBackend(properties.demo().port());
	}
}
