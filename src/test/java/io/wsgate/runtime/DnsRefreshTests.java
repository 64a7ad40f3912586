package io.wsgate.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.TestSpecs;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.runtime.GatewayRuntime.ServerKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pure parts of {@code dnsRefresh}: what a name's addresses make of a configured server, what a
 * change of addresses changes (diffed as a reload's servers are), and what a failed resolution does.
 */
class DnsRefreshTests {

	private static final String NAME = "ws://chat.svc:9000";

	private static PoolSpec spec(Duration dnsRefresh) {
		return TestSpecs.spec(PoolSpec.class, "servers",
				List.of(TestSpecs.spec(ServerSpec.class, "url", NAME, "weight", 5, "tags", List.of("blue")),
						TestSpecs.spec(ServerSpec.class, "url", "ws://10.0.0.9:9000", "weight", 5)),
				"dnsRefresh", dnsRefresh);
	}

	private static ServerPool build(PoolRegistry registry, PoolSpec spec, Map<String, List<String>> addresses) {
		registry.beginBuild(addresses);
		ServerPool pool = new ServerPool("chat", "proxy", spec, null, registry);
		registry.register("chat", pool);
		registry.commit(registry.endBuild());
		return pool;
	}

	private static List<String> urls(ServerPool pool) {
		return pool.servers().stream().map(Server::url).toList();
	}

	private static Set<ServerKey> keys(ServerPool pool) {
		Set<ServerKey> keys = new LinkedHashSet<>();
		pool.servers().forEach(server -> keys.add(new ServerKey("chat", "proxy", server.url())));
		return keys;
	}

	@Test
	void aNameIsOneServerPerAddressWithTheConfiguredOptions() {
		ServerPool pool = build(new PoolRegistry(), spec(Duration.ofSeconds(30)),
				Map.of("chat.svc", List.of("10.0.0.5", "10.0.0.6")));

		assertThat(urls(pool)).containsExactly(NAME + " (10.0.0.5)", NAME + " (10.0.0.6)", "ws://10.0.0.9:9000");
		Server first = pool.servers().get(0);
		assertThat(first.uri()).hasToString("ws://10.0.0.5:9000");
		assertThat(first.weight()).isEqualTo(5);
		assertThat(first.tags()).containsExactly("blue");
		assertThat(first.hostName()).isEqualTo("chat.svc");
		assertThat(first.hostHeader()).isEqualTo("chat.svc:9000");
		assertThat(first.configuredUrl()).isEqualTo(NAME);
		// An IP literal is never resolved: it stays the configured server.
		assertThat(pool.servers().get(2).hostName()).isNull();
		assertThat(pool.servers().get(2).hostHeader()).isNull();
	}

	@Test
	void aNameNotResolvedYetOrWithoutDnsRefreshIsTheConfiguredServer() {
		assertThat(urls(build(new PoolRegistry(), spec(Duration.ofSeconds(30)), Map.of())))
			.containsExactly(NAME, "ws://10.0.0.9:9000");
		assertThat(urls(build(new PoolRegistry(), spec(Duration.ZERO), Map.of("chat.svc", List.of("10.0.0.5")))))
			.containsExactly(NAME, "ws://10.0.0.9:9000");
	}

	@Test
	void addressesGainedAndLostAreServersAddedAndRemovedAndTheOthersKeepTheirState() {
		PoolRegistry registry = new PoolRegistry();
		PoolSpec spec = spec(Duration.ofSeconds(30));
		ServerPool before = build(registry, spec, Map.of("chat.svc", List.of("10.0.0.5", "10.0.0.6")));
		Server six = before.server(NAME + " (10.0.0.6)");
		before.recordDialFailure(six, "refused");
		assertThat(before.healthyServers()).doesNotContain(six);

		ServerPool after = build(registry, spec, Map.of("chat.svc", List.of("10.0.0.6", "10.0.0.7")));
		RuntimeDiff diff = RuntimeDiff.of(keys(before), keys(after), Set.of(), Set.of());

		assertThat(diff.addedServers()).containsExactly(new ServerKey("chat", "proxy", NAME + " (10.0.0.7)"));
		assertThat(diff.removedServers()).containsExactly(new ServerKey("chat", "proxy", NAME + " (10.0.0.5)"));
		assertThat(diff.keptServers()).hasSize(2);
		// 10.0.0.6 stays, with its health: still out after its failure.
		assertThat(urls(after)).contains(NAME + " (10.0.0.6)");
		assertThat(after.healthyServers().stream().map(Server::url)).doesNotContain(NAME + " (10.0.0.6)")
			.contains(NAME + " (10.0.0.7)");
	}

	@Test
	void ipLiteralsAreNeverResolvedAndNamesAreLowerCased() {
		assertThat(Server.dnsName("ws://10.0.0.1:80")).isNull();
		assertThat(Server.dnsName("ws://[::1]:80")).isNull();
		assertThat(Server.dnsName("wss://Chat.SVC")).isEqualTo("chat.svc");
		assertThat(Server.dnsName("not a url")).isNull();
		Server v6 = Server.resolved(TestSpecs.spec(ServerSpec.class, "url", "wss://chat.svc"), "fe80:0:0:0:0:0:0:1");
		assertThat(v6.uri()).hasToString("wss://[fe80:0:0:0:0:0:0:1]:443");
		assertThat(v6.hostHeader()).isEqualTo("chat.svc");
	}

	@Test
	void aFailedResolutionEmitsNothingAndIsCountedThenAddressesComeSorted() throws UnknownHostException {
		List<Object> answers = new ArrayList<>(List.of(new UnknownHostException("no such name"), List.of(),
				List.of(InetAddress.getByName("10.0.0.6"), InetAddress.getByName("10.0.0.5"),
						InetAddress.getByName("10.0.0.6"))));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		DnsDiscovery discovery = new DnsDiscovery(name -> {
			Object answer = answers.remove(0);
			if (answer instanceof Throwable failure) {
				return ImmediateEventExecutor.INSTANCE.newFailedFuture(failure);
			}
			@SuppressWarnings("unchecked")
			List<InetAddress> addresses = (List<InetAddress>) answer;
			return ImmediateEventExecutor.INSTANCE.newSucceededFuture(addresses);
		}, () -> {
		}, meters);

		assertThat(discovery.resolve("chat.svc").blockOptional(Duration.ofSeconds(5))).isEmpty();
		// No address is a failure too: the last known ones stay.
		assertThat(discovery.resolve("chat.svc").blockOptional(Duration.ofSeconds(5))).isEmpty();
		assertThat(meters.get("wsgate.dns.failures").tag("host", "chat.svc").counter().count()).isEqualTo(2);
		assertThat(discovery.resolve("chat.svc").block(Duration.ofSeconds(5))).containsExactly("10.0.0.5", "10.0.0.6");
	}
}
