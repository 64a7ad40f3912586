package io.wsgate.runtime;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.wsgate.metrics.WsgateMeters;
import io.wsgate.metrics.WsgateMeters.TagKey;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

/**
 * {@code dnsRefresh}: re-resolves the DNS names of a runtime's servers each period with Netty's
 * non-blocking resolver (on the gateway's event loops, no cache: each period asks again), and reports
 * a name whose set of addresses changed, for a runtime to be built with the new servers. A failed
 * resolution (or no address) keeps the last known addresses: it is counted, and logged once per
 * failure streak. The timers belong to a runtime ({@link #schedule}): they stop when it is replaced.
 */
public final class DnsDiscovery implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DnsDiscovery.class);

	/** What a change of addresses is reported to. */
	@FunctionalInterface
	public interface Listener {

		/**
		 * @param runtime the runtime whose timer resolved the name
		 * @param name the DNS name
		 * @param addresses its addresses now, sorted
		 */
		void changed(GatewayRuntime runtime, String name, List<String> addresses);
	}

	/** Resolves a name to all its addresses, without blocking. */
	@FunctionalInterface
	public interface Resolver {

		Future<List<InetAddress>> resolveAll(String name);
	}

	private final Resolver resolver;

	private final AutoCloseable closer;

	private final MeterRegistry registry;

	/** Names whose last resolution failed: the streak is logged once. */
	private final Set<String> failing = ConcurrentHashMap.newKeySet();

	private final Map<String, Counter> failures = new ConcurrentHashMap<>();

	private final AtomicInteger tasks = new AtomicInteger();

	DnsDiscovery(Resolver resolver, AutoCloseable closer, MeterRegistry registry) {
		this.resolver = resolver;
		this.closer = closer;
		this.registry = registry;
	}

	/**
	 * Netty's DNS resolver on one of the gateway's client event loops, with the system's name servers
	 * and search domains (/etc/resolv.conf), or one name server only.
	 *
	 * @param nameServer the only name server to ask; null for the system's (tests point it at a
	 * DNS server of their own on a loopback port)
	 */
	public static DnsDiscovery netty(LoopResources loops, @Nullable InetSocketAddress nameServer, MeterRegistry registry) {
		EventLoopGroup group = loops.onClient(true);
		DnsNameResolverBuilder builder = new DnsNameResolverBuilder(group.next())
			.datagramChannelType(loops.onChannelClass(DatagramChannel.class, group))
			.resolveCache(NoopDnsCache.INSTANCE)
			.cnameCache(NoopDnsCnameCache.INSTANCE);
		if (nameServer != null) {
			builder.nameServerProvider(new SingletonDnsServerAddressStreamProvider(nameServer))
				.searchDomains(List.of())
				.ndots(1);
		}
		DnsNameResolver resolver = builder.build();
		return new DnsDiscovery(resolver::resolveAll, resolver::close, registry);
	}

	/**
	 * Starts re-resolving the names of a runtime's servers, each at the shortest {@code dnsRefresh}
	 * of the pools that name it; disposing the result stops them.
	 *
	 * @param resolveNow resolve at once (a runtime built from a new configuration), else first after a
	 * period (a runtime built from the addresses just resolved)
	 */
	public Disposable schedule(GatewayRuntime runtime, boolean resolveNow, Listener listener) {
		Disposable.Composite running = Disposables.composite();
		runtime.dnsNames().forEach((name, period) -> {
			tasks.incrementAndGet();
			running.add(Flux.interval(resolveNow ? Duration.ZERO : period, period, Schedulers.parallel())
				.onBackpressureDrop()
				.concatMap(tick -> resolve(name), 1)
				.filter(addresses -> !addresses.equals(runtime.addresses().get(name)))
				// Building a runtime is no work for a parallel (non-blocking) thread.
				.publishOn(Schedulers.boundedElastic())
				.doFinally(signal -> tasks.decrementAndGet())
				.subscribe(addresses -> listener.changed(runtime, name, addresses),
						ex -> logger.error("DNS refresh of " + name + " stopped", ex)));
		});
		return running;
	}

	/**
	 * Resolves names once, waiting at most this long (never on an event loop: the gateway's start).
	 *
	 * @return the addresses of the names that resolved in time
	 */
	Map<String, List<String>> resolveNow(Set<String> names, Duration wait) {
		Map<String, List<String>> resolved = new ConcurrentHashMap<>();
		Flux.fromIterable(names)
			.flatMap(name -> resolve(name).doOnNext(addresses -> resolved.put(name, addresses)))
			.then()
			.timeout(wait, Mono.empty())
			.block();
		return Map.copyOf(resolved);
	}

	/** The names being re-resolved now (one task per name per runtime in force). */
	public int activeTasks() {
		return tasks.get();
	}

	/** The addresses of a name, sorted; empty (nothing emitted) when it cannot be resolved now. */
	Mono<List<String>> resolve(String name) {
		return Mono.<List<InetAddress>>create(sink -> {
			Future<List<InetAddress>> future = resolver.resolveAll(name);
			future.addListener(done -> {
				if (done.isSuccess()) {
					sink.success(future.getNow());
				}
				else {
					sink.error(done.cause());
				}
			});
		}).map(DnsDiscovery::sorted).flatMap(addresses -> addresses.isEmpty()
				? Mono.<List<String>>error(new IllegalStateException("no address")) : Mono.just(addresses))
			.doOnNext(addresses -> {
				if (failing.remove(name)) {
					logger.info("DNS name " + name + " resolves again: " + addresses);
				}
			})
			.onErrorResume(ex -> {
				failures.computeIfAbsent(name, n -> Counter.builder(WsgateMeters.DNS_FAILURES.meterName())
					.description(WsgateMeters.DNS_FAILURES.description())
					.tag(TagKey.HOST.asString(), n)
					.register(registry)).increment();
				if (failing.add(name)) {
					logger.warn("DNS name " + name + " cannot be resolved (" + ex.getMessage()
							+ "): its servers stay those of the last known addresses until it resolves again");
				}
				return Mono.empty();
			});
	}

	static List<String> sorted(List<InetAddress> addresses) {
		Set<String> unique = new TreeSet<>();
		addresses.forEach(address -> unique.add(NetUtil.toAddressString(address)));
		return List.copyOf(unique);
	}

	@Override
	public void close() throws Exception {
		closer.close();
	}
}
