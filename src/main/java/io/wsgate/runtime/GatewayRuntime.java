package io.wsgate.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.PoolSpec;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.request.TrustedProxies;
import io.wsgate.routing.Router;
import io.wsgate.server.RoutingTable;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * The gateway as one configuration makes it: each http server's router, the pipelines with their
 * filters, the pools with their servers, and (once applied) the health checks of those servers.
 * Built by {@link RuntimeFactory}, held by {@link GatewayRuntimes}; a reload builds a new one beside
 * it and swaps. Requests read the one in force; a session keeps the pipeline and pool it started
 * with, and the filters of a replaced runtime are closed when its last user is done.
 */
public final class GatewayRuntime implements RoutingTable {

	private final ConfigSnapshot snapshot;

	private final Map<String, ListenerRouting> listeners;

	private final Pipelines pipelines;

	private final Map<String, PipelineUsage> usage;

	private final List<PoolRegistry.Entry> pools;

	private final Map<String, List<String>> addresses;

	private volatile @Nullable Disposable healthChecks;

	private volatile @Nullable Disposable dnsRefresh;

	GatewayRuntime(ConfigSnapshot snapshot, Pipelines pipelines, List<PoolRegistry.Entry> pools,
			Map<String, List<String>> addresses) {
		this.snapshot = snapshot;
		Map<String, ListenerRouting> routing = new LinkedHashMap<>();
		for (HttpServerSpec spec : snapshot.httpServers()) {
			routing.put(spec.name(), new ListenerRouting(new Router(spec), TrustedProxies.of(spec.trustedProxies())));
		}
		this.listeners = routing;
		this.pipelines = pipelines;
		Map<String, PipelineUsage> byName = new LinkedHashMap<>();
		for (String name : pipelines.names()) {
			// A name of theirs: the pipeline is there.
			byName.put(name, new PipelineUsage(Objects.requireNonNull(pipelines.get(name)), pipelines.filters(name)));
		}
		this.usage = byName;
		this.pools = List.copyOf(pools);
		// Only the names this configuration resolves: a name no longer configured is forgotten.
		Map<String, List<String>> used = new LinkedHashMap<>();
		dnsNames().keySet().forEach(name -> {
			if (addresses.containsKey(name)) {
				used.put(name, List.copyOf(addresses.get(name)));
			}
		});
		this.addresses = Map.copyOf(used);
	}

	/**
	 * The DNS names of the servers of pools with {@code dnsRefresh}, each with the shortest period
	 * of the pools that name it (IP literals are never resolved).
	 */
	public Map<String, Duration> dnsNames() {
		Map<String, Duration> names = new TreeMap<>();
		for (PoolRegistry.Entry entry : pools) {
			PoolSpec spec = entry.pool().spec();
			if (!spec.resolvesNames()) {
				continue;
			}
			for (PoolSpec.ServerSpec server : spec.selectedServers()) {
				String name = Server.dnsName(server.url());
				if (name != null) {
					names.merge(name, spec.dnsRefresh(), (a, b) -> (a.compareTo(b) <= 0) ? a : b);
				}
			}
		}
		return names;
	}

	/** The addresses of each DNS name this runtime's servers were made of (a name not resolved yet is absent). */
	public Map<String, List<String>> addresses() {
		return addresses;
	}

	@Override
	public @Nullable ListenerRouting listener(String httpServer) {
		return listeners.get(httpServer);
	}

	@Override
	public @Nullable PipelineHold hold(String pipeline) {
		PipelineUsage found = usage.get(pipeline);
		return (found != null) ? found.hold() : null;
	}

	public ConfigSnapshot snapshot() {
		return snapshot;
	}

	/** The http servers: those of {@code wsgate.http-servers}, then those of the Easegress files. */
	public List<HttpServerSpec> httpServers() {
		return snapshot.httpServers();
	}

	public Pipelines pipelines() {
		return pipelines;
	}

	/** The pools of this configuration, with their pipelines. */
	public List<PoolRegistry.Entry> pools() {
		return pools;
	}

	/** Every server of this configuration, as pipeline, pool name and URL. */
	public Set<ServerKey> servers() {
		Set<ServerKey> keys = new LinkedHashSet<>();
		for (PoolRegistry.Entry entry : pools) {
			for (Server server : entry.pool().servers()) {
				keys.add(new ServerKey(entry.pipeline(), entry.pool().name(), server.url()));
			}
		}
		return keys;
	}

	/** Requests and sessions holding this runtime's pipelines now. */
	public int holders() {
		return usage.values().stream().mapToInt(PipelineUsage::holders).sum();
	}

	/** Whether every pipeline of this replaced runtime has closed its filters. */
	public boolean isClosed() {
		return usage.values().stream().allMatch(PipelineUsage::isClosed);
	}

	void startHealthChecks(Disposable checks) {
		this.healthChecks = checks;
	}

	void startDnsRefresh(Disposable timers) {
		this.dnsRefresh = timers;
	}

	/** Replaced (or the application stops): health checks and DNS refresh timers stop, filters close once nobody holds them. */
	public void retire() {
		Disposable checks = healthChecks;
		if (checks != null) {
			checks.dispose();
		}
		Disposable timers = dnsRefresh;
		if (timers != null) {
			timers.dispose();
		}
		usage.values().forEach(PipelineUsage::retire);
	}

	/**
	 * A server in a configuration.
	 *
	 * @param pipeline its pipeline
	 * @param pool its pool's name
	 * @param url its URL
	 */
	public record ServerKey(String pipeline, String pool, String url) {
	}
}
