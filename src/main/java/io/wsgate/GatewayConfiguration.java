package io.wsgate;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.wsgate.config.WsgateProperties;
import io.wsgate.demo.EchoBackend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.wsgate.health.GatewayHealthContributor;
import io.wsgate.health.HealthCheckScheduler;
import io.wsgate.runtime.DnsDiscovery;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.FilterOutcomes;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.proxy.dial.BackendDialer;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.proxy.WebSocketProxyKind;
import io.wsgate.runtime.GatewayRuntimes;
import io.wsgate.runtime.RuntimeFactory;
import io.wsgate.runtime.SnapshotLoader;
import io.wsgate.server.Listeners;
import io.wsgate.status.AccessLog;
import io.wsgate.status.BuildSummary;
import io.wsgate.status.DashboardEndpoint;
import io.wsgate.status.GatewayStatusEndpoint;
import io.wsgate.status.GatewayTotals;
import io.wsgate.status.RecentCloses;
import io.wsgate.status.SessionListener;
import io.wsgate.status.TrafficHistory;
import io.wsgate.status.TrafficSampler;
import io.wsgate.tracing.HandshakeTracing;
import io.wsgate.warmup.SelfWarmup;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.ReactorNetty;
import reactor.netty.resources.LoopResources;

/**
 * Wires the gateway: validates the configuration, builds the runtime (pipelines from the filter
 * kinds, pools, routers) from it, starts the listeners, and reloads the configuration live.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

	@Bean
	PoolRegistry poolRegistry() {
		return new PoolRegistry();
	}

	@Bean
	GatewayMetrics gatewayMetrics(MeterRegistry registry) {
		return new GatewayMetrics(registry);
	}

	@Bean
	RecentCloses recentCloses() {
		return new RecentCloses(50);
	}

	/** Everyone told about finished sessions: the recent closes and, when enabled, the access log. */
	@Bean
	SessionListener sessionListener(WsgateProperties properties, RecentCloses recentCloses) {
		if (!properties.accessLog().enabled()) {
			return recentCloses;
		}
		AccessLog accessLog = new AccessLog(Objects.requireNonNull(properties.accessLog().parsedFormat(), "validated"));
		return summary -> {
			recentCloses.sessionFinished(summary);
			accessLog.sessionFinished(summary);
		};
	}

	/**
	 * The gateway's own event loops, for its listeners, its backend connections and its health
	 * probes, released with the application (Boot's default would share Reactor Netty's global ones).
	 * One set of loops for both sides lets a backend connection live on its client's loop.
	 * <p>
	 * One loop per core, like nginx's workers and HAProxy's threads: nothing blocks on them, and
	 * Reactor Netty's default of at least four only adds context switches on small machines
	 * (bench/README has the measurements). {@code -Dreactor.netty.ioWorkerCount} still sets the number.
	 */
	@Bean
	ReactorResourceFactory reactorResourceFactory() {
		ReactorResourceFactory resources = new ReactorResourceFactory();
		resources.setUseGlobalResources(false);
		int loops = Integer.getInteger(ReactorNetty.IO_WORKER_COUNT, Runtime.getRuntime().availableProcessors());
		resources.setLoopResourcesSupplier(() -> LoopResources.create("webflux-http", loops, true));
		return resources;
	}

	@Bean
	BackendDialer backendDialer(GatewayMetrics metrics, ReactorResourceFactory resources) {
		return new BackendDialer(metrics, resources.getLoopResources());
	}

	@Bean
	SessionRegistry sessionRegistry(WsgateProperties properties) {
		return new SessionRegistry(properties.limits());
	}

	@Bean
	WebSocketProxyKind webSocketProxyKind(BackendDialer dialer, PoolRegistry pools, GatewayMetrics metrics,
			SessionListener sessionListener, SessionRegistry sessions, WsgateProperties properties, SslBundles sslBundles,
			HandshakeTracing tracing) {
		return new WebSocketProxyKind(dialer, pools, metrics, sessionListener, sessions, properties.limits().retryAfter(),
				sslBundles, tracing);
	}

	@Bean
	FilterRegistry filterRegistry(List<FilterKind<?>> kinds) {
		return new FilterRegistry(kinds);
	}

	/**
	 * The configuration in force: validated here at startup (a problem stops the application), then
	 * reloaded live. Every runtime object (routers, pipelines, filters, pools) is built from it.
	 */
	@Bean
	GatewayRuntimes gatewayRuntimes(WsgateProperties properties, FilterRegistry registry, PoolRegistry pools,
			ConfigurableEnvironment environment, SslBundles sslBundles, GatewayMetrics metrics,
			HealthCheckScheduler health, SessionRegistry sessions, MeterRegistry meterRegistry,
			SessionListener sessionListener, DnsDiscovery dns) {
		SnapshotLoader loader = new SnapshotLoader(environment, registry, Set.copyOf(sslBundles.getBundleNames()));
		RuntimeFactory factory = new RuntimeFactory(registry, pools, new FilterOutcomes(metrics, sessionListener));
		return new GatewayRuntimes(loader.startup(properties), loader, factory, pools, metrics, health, sessions,
				meterRegistry, dns);
	}

	/**
	 * {@code dnsRefresh}: Netty's resolver on the gateway's event loops, asking the system's name
	 * servers. {@code wsgate-test.dns-server} (host:port, for tests only) makes it ask that one only.
	 */
	@Bean
	DnsDiscovery dnsDiscovery(ReactorResourceFactory resources, MeterRegistry meterRegistry,
			ConfigurableEnvironment environment) {
		String server = environment.getProperty("wsgate-test.dns-server");
		InetSocketAddress nameServer = null;
		if (server != null && !server.isBlank()) {
			int colon = server.lastIndexOf(':');
			nameServer = new InetSocketAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
		}
		return DnsDiscovery.netty(resources.getLoopResources(), nameServer, meterRegistry);
	}

	@Bean
	Listeners listeners(GatewayRuntimes runtimes, WsgateProperties properties, ReactorResourceFactory resources,
			SslBundles sslBundles, SessionRegistry sessions, HandshakeTracing tracing) {
		Listeners listeners = new Listeners(runtimes.get().httpServers(), runtimes.inForce(), resources, sslBundles,
				new Listeners.Drain(properties.shutdown().drainPeriod(), sessions::startDraining,
						() -> sessions.goAwayAll("gateway shutting down")), tracing);
		runtimes.attach(listeners);
		return listeners;
	}

	/**
	 * Handshake tracing, on when spans are exported (an OTLP endpoint is set, or a SpanExporter bean
	 * exists): observations cost CPU on every handshake, which is wasted when no span leaves the process.
	 */
	@Bean
	HandshakeTracing handshakeTracing(ObjectProvider<ObservationRegistry> registry, ObjectProvider<SpanExporter> exporters) {
		if (exporters.stream().findAny().isEmpty()) {
			return HandshakeTracing.OFF;
		}
		return new HandshakeTracing(registry.getIfAvailable(() -> ObservationRegistry.NOOP));
	}

	/**
	 * The handshake observations are for tracing: their timing is already wsgate.handshake.duration, so
	 * the timers Micrometer would make of them are left out of the meter catalogue.
	 */
	@Bean
	MeterFilter handshakeObservationMeters() {
		Set<String> names = Set.of(HandshakeTracing.HANDSHAKE, HandshakeTracing.HANDSHAKE + ".active",
				HandshakeTracing.DIAL, HandshakeTracing.DIAL + ".active");
		return MeterFilter.deny(id -> names.contains(id.getName()));
	}

	@Bean
	HealthCheckScheduler healthCheckScheduler(ReactorResourceFactory resources) {
		return new HealthCheckScheduler(resources.getLoopResources());
	}

	/** Actuator health component "wsgate": pipeline, pool, servers (of the configuration in force). */
	@Bean("wsgate")
	HealthContributor wsgateHealthContributor(PoolRegistry pools, GatewayRuntimes runtimes) {
		return GatewayHealthContributor.live(pools);
	}

	@Bean
	GatewayTotals gatewayTotals(GatewayMetrics metrics, MeterRegistry registry) {
		return new GatewayTotals(metrics, registry);
	}

	@Bean
	TrafficHistory trafficHistory() {
		return TrafficHistory.fifteenMinutes();
	}

	@Bean
	TrafficSampler trafficSampler(GatewayTotals totals, TrafficHistory history) {
		return new TrafficSampler(totals, history);
	}

	/** Build info and git.properties are optional: a jar built without them still starts. */
	@Bean
	GatewayStatusEndpoint gatewayStatusEndpoint(GatewayRuntimes runtimes, Listeners listeners, PoolRegistry pools,
			GatewayMetrics metrics, GatewayTotals totals, RecentCloses recentCloses, TrafficHistory history,
			ObjectProvider<BuildProperties> build, ObjectProvider<GitProperties> git) {
		return new GatewayStatusEndpoint(runtimes, listeners, pools, metrics, totals, recentCloses, history,
				BuildSummary.of(build.getIfAvailable(), git.getIfAvailable()));
	}

	@Bean
	DashboardEndpoint dashboardEndpoint() {
		return new DashboardEndpoint();
	}

	/**
	 * The self warm-up, run before the application reports ready when {@code wsgate.warmup.enabled}.
	 * Its meters go to a registry of their own, of the application's kind: the meter classes the JIT
	 * compiles for are the ones the first clients use, and none of the warm-up shows.
	 */
	@Bean
	SelfWarmup selfWarmup(WsgateProperties properties, ReactorResourceFactory resources, SslBundles sslBundles,
			MeterRegistry registry) {
		return new SelfWarmup(properties.warmup(), resources, sslBundles,
				() -> (registry instanceof PrometheusMeterRegistry) ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
						: new SimpleMeterRegistry());
	}

	@Bean
	@ConditionalOnProperty(name = "wsgate.demo.enabled", havingValue = "true")
	EchoBackend demoEchoBackend(WsgateProperties properties) {
		return new EchoBackend(properties.demo().port());
	}
}
