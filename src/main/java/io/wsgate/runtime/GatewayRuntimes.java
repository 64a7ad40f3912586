package io.wsgate.runtime;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wsgate.config.InvalidConfigException;
import io.wsgate.health.HealthCheckScheduler;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ReloadOutcome;
import io.wsgate.metrics.WsgateMeters;
import io.wsgate.metrics.WsgateMeters.TagKey;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.runtime.GatewayRuntime.ServerKey;
import io.wsgate.server.Listeners;
import io.wsgate.server.Listeners.BindFailedException;
import io.wsgate.server.RoutingInForce;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;

/**
 * Holds the runtime in force, in one reference, and replaces it on a reload: the new configuration
 * is read and validated, its runtime built beside the one in force, its new ports bound, and only
 * then swapped in. Rejected at any step, nothing changes. Applied, the new pools' servers are
 * metered (servers that stay keep their meters and health), their health checks replace the old
 * ones, and the old runtime is retired: its filters close once no request or session uses them.
 * Reloads run one at a time.
 */
public final class GatewayRuntimes implements Supplier<GatewayRuntime>, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(GatewayRuntimes.class);

	/** A burst of file events shorter than this is one reload. */
	static final Duration QUIET_PERIOD = Duration.ofMillis(300);

	/**
	 * The configuration in force and the last rejection.
	 *
	 * @param version the version (hash) of the configuration in force
	 * @param loadedAt when it was read
	 * @param lastRejection the last rejected reload; null when none was rejected
	 */
	public record Status(String version, Instant loadedAt, @Nullable ReloadResult lastRejection) {
	}

	private final RoutingInForce<GatewayRuntime> current;

	private final SnapshotLoader loader;

	private final RuntimeFactory factory;

	private final PoolRegistry pools;

	private final GatewayMetrics metrics;

	private final HealthCheckScheduler health;

	private final SessionRegistry sessions;

	private final DnsDiscovery dns;

	private final Counter applied;

	private final Counter rejected;

	private volatile @Nullable Listeners listeners;

	private volatile @Nullable ReloadResult lastRejection;

	private @Nullable ConfigWatcher watcher;

	private @Nullable Scheduler reloads;

	private @Nullable Debouncer debouncer;

	private boolean running;

	/**
	 * Builds and applies the first runtime (its health checks start with {@link #start}).
	 *
	 * @param initial the validated startup configuration
	 */
	public GatewayRuntimes(ConfigSnapshot initial, SnapshotLoader loader, RuntimeFactory factory, PoolRegistry pools,
			GatewayMetrics metrics, HealthCheckScheduler health, SessionRegistry sessions, MeterRegistry registry,
			DnsDiscovery dns) {
		this.loader = loader;
		this.factory = factory;
		this.pools = pools;
		this.metrics = metrics;
		this.health = health;
		this.sessions = sessions;
		this.dns = dns;
		this.applied = reloadCounter(registry, ReloadOutcome.APPLIED);
		this.rejected = reloadCounter(registry, ReloadOutcome.REJECTED);
		GatewayRuntime first = factory.build(initial);
		this.current = new RoutingInForce<>(first);
		pools.commit(first.pools());
		metrics.activate(first.pools().stream().map(PoolRegistry.Entry::pool).toList());
	}

	private static Counter reloadCounter(MeterRegistry registry, ReloadOutcome outcome) {
		return Counter.builder(WsgateMeters.CONFIG_RELOADS.meterName())
			.description(WsgateMeters.CONFIG_RELOADS.description())
			.tag(TagKey.OUTCOME.asString(), outcome.tag())
			.register(registry);
	}

	/** The listeners, which a reload brings to the new http servers. */
	public void attach(Listeners listeners) {
		this.listeners = listeners;
	}

	/** The runtime in force. */
	@Override
	public GatewayRuntime get() {
		return current.get();
	}

	/** The runtime in force, as the listeners read it for each request. */
	public RoutingInForce<GatewayRuntime> inForce() {
		return current;
	}

	public Status status() {
		ConfigSnapshot snapshot = current.get().snapshot();
		return new Status(snapshot.version(), snapshot.loadedAt(), lastRejection);
	}

	/** Reads the config files again and applies them, or rejects them with every problem found. */
	public synchronized ReloadResult reload() {
		GatewayRuntime before = current.get();
		ConfigSnapshot snapshot;
		try {
			snapshot = loader.reload();
		}
		catch (InvalidConfigException ex) {
			return reject(ex.problems());
		}
		if (snapshot.version().equals(before.snapshot().version())) {
			return new ReloadResult(ReloadResult.UNCHANGED, snapshot.version(), Instant.now(), List.of());
		}
		GatewayRuntime next;
		try {
			next = factory.build(snapshot, before.addresses());
		}
		catch (InvalidConfigException ex) {
			return reject(ex.problems());
		}
		catch (RuntimeException ex) {
			return reject(List.of("wsgate.pipelines: a filter cannot be made: " + ex.getMessage()));
		}
		try {
			Listeners attached = listeners;
			if (attached != null) {
				attached.apply(snapshot.httpServers());
			}
		}
		catch (BindFailedException ex) {
			next.retire();
			return reject(List.of(ex.path() + ": " + ex.getMessage()));
		}
		swap(before, next, true);
		RuntimeDiff diff = RuntimeDiff.of(before, next);
		logger.info("configuration " + snapshot.version() + " applied (was " + before.snapshot().version() + "): "
				+ diff.summary());
		drainLater(diff, snapshot);
		applied.increment();
		return new ReloadResult(ReloadResult.APPLIED, snapshot.version(), Instant.now(), List.of());
	}

	/**
	 * {@code dnsRefresh}: a DNS name of the runtime in force has other addresses now. A runtime is built
	 * from the same configuration with them and applied as a reload is: servers of addresses that stay
	 * keep their health and meters, those of new addresses are checked, those of lost ones are removed
	 * ({@code removedServers} says what becomes of their sessions). A report from a runtime no longer in
	 * force is stale and ignored.
	 */
	synchronized void addressesChanged(GatewayRuntime seenBy, String name, List<String> addresses) {
		GatewayRuntime before = current.get();
		if (before != seenBy || !running) {
			return;
		}
		Map<String, List<String>> resolved = new HashMap<>(before.addresses());
		resolved.put(name, addresses);
		GatewayRuntime next;
		try {
			next = factory.build(before.snapshot(), resolved);
		}
		catch (RuntimeException ex) {
			logger.warn("DNS name " + name + " now resolves to " + addresses + ", but the servers cannot be rebuilt: " + ex);
			return;
		}
		swap(before, next, false);
		RuntimeDiff diff = RuntimeDiff.of(before, next);
		logger.info("DNS name " + name + " now resolves to " + addresses + ": " + diff.summary());
		drainLater(diff, next.snapshot());
	}

	private void drainLater(RuntimeDiff diff, ConfigSnapshot snapshot) {
		if (diff.removesAnything() && snapshot.properties().reload().drainsRemovedServers()) {
			Duration period = snapshot.properties().shutdown().drainPeriod();
			Schedulers.parallel().schedule(this::drainRemoved, period.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	/** @param resolveNow whether the new runtime resolves its DNS names at once, or first after a period */
	private void swap(GatewayRuntime before, GatewayRuntime next, boolean resolveNow) {
		current.set(next);
		pools.commit(next.pools());
		metrics.activate(next.pools().stream().map(PoolRegistry.Entry::pool).toList());
		if (running) {
			next.startHealthChecks(health.schedule(next.pools()));
			startDnsRefresh(next, resolveNow);
		}
		before.retire();
	}

	private void startDnsRefresh(GatewayRuntime runtime, boolean resolveNow) {
		if (!runtime.dnsNames().isEmpty()) {
			runtime.startDnsRefresh(dns.schedule(runtime, resolveNow, this::addressesChanged));
		}
	}

	/** {@code removedServers: drain}: closes the sessions on servers and http servers no longer in force. */
	private void drainRemoved() {
		GatewayRuntime now = current.get();
		java.util.Set<ServerKey> servers = now.servers();
		int closed = sessions.goAway(place -> now.listener(place.httpServer()) == null
				|| !servers.contains(new ServerKey(place.pipeline(), place.pool(), place.server())),
				"server removed from the configuration");
		if (closed > 0) {
			logger.info("closed " + closed + " sessions on servers removed from the configuration (removedServers: drain)");
		}
	}

	private ReloadResult reject(List<String> problems) {
		problems.forEach(problem -> logger.warn("configuration reload rejected: " + problem));
		rejected.increment();
		ReloadResult result = new ReloadResult(ReloadResult.REJECTED, current.get().snapshot().version(), Instant.now(),
				List.copyOf(problems));
		lastRejection = result;
		return result;
	}

	/** How long the start waits for the first resolution of the servers' DNS names ({@code dnsRefresh}). */
	static final Duration FIRST_RESOLUTION_WAIT = Duration.ofSeconds(3);

	@Override
	public synchronized void start() {
		GatewayRuntime first = current.get();
		boolean unresolved = false;
		if (!first.dnsNames().isEmpty()) {
			// Servers of a DNS name start as its addresses (not as the name) when it resolves in time.
			Map<String, List<String>> resolved = dns.resolveNow(first.dnsNames().keySet(), FIRST_RESOLUTION_WAIT);
			if (!resolved.isEmpty()) {
				swap(first, factory.build(first.snapshot(), resolved), false);
			}
			unresolved = resolved.size() < first.dnsNames().size();
		}
		GatewayRuntime runtime = current.get();
		runtime.startHealthChecks(health.schedule(runtime.pools()));
		running = true;
		// A name that did not resolve in time is asked again at once, the others after a period.
		startDnsRefresh(runtime, unresolved);
		if (runtime.snapshot().properties().reload().enabled()) {
			reloads = Schedulers.newSingle("wsgate-config-reload", true);
			debouncer = new Debouncer(QUIET_PERIOD, reloads, this::reload);
			List<java.nio.file.Path> files = loader.files(runtime.snapshot());
			List<java.nio.file.Path> folders = loader.folders(runtime.snapshot());
			try {
				watcher = (files.isEmpty() && folders.isEmpty()) ? null
						: new ConfigWatcher(files, folders, debouncer::trigger);
			}
			catch (IOException ex) {
				logger.warn("cannot watch the configuration files " + files + ": " + ex);
			}
		}
		running = true;
	}

	@Override
	public synchronized void stop() {
		if (watcher != null) {
			watcher.close();
			watcher = null;
		}
		if (debouncer != null) {
			debouncer.cancel();
			debouncer = null;
		}
		if (reloads != null) {
			reloads.dispose();
			reloads = null;
		}
		current.get().retire();
		running = false;
	}

	@Override
	public synchronized boolean isRunning() {
		return running;
	}
}
