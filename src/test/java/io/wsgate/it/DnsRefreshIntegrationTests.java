package io.wsgate.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContextBuilder;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.Server;
import io.wsgate.pool.ServerPool;
import io.wsgate.runtime.DnsDiscovery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code dnsRefresh} over real sockets: a name served by a DNS server of the test (loopback UDP,
 * never the network) resolves to backends on 127.0.0.2, .3 and .4, all on one port. Its servers
 * follow its addresses; a session on an address that is gone runs on ({@code removedServers: keep}).
 */
class DnsRefreshIntegrationTests {

	private static final String NAME = "backends.wsgate.test";

	private static final Duration PERIOD = Duration.ofSeconds(1);

	private final TestDnsServer dns = new TestDnsServer();

	private final TestBackend b2 = new TestBackend("127.0.0.2", 0);

	private final TestBackend b3 = new TestBackend("127.0.0.3", b2.port());

	private final TestBackend b4 = new TestBackend("127.0.0.4", b2.port());

	private final List<TestClient> clients = new ArrayList<>();

	private Gateway gateway;

	@AfterEach
	void stop() {
		clients.forEach(TestClient::close);
		if (gateway != null) {
			gateway.close();
		}
		b2.close();
		b3.close();
		b4.close();
		dns.close();
	}

	private void start() {
		gateway = Gateway.start(config("1s", true), Map.of("backend.port", b2.port(), "wsgate-test.dns-server", dns.address()));
	}

	/** @param checked with an active health check (a server by name would be checked through the system's DNS) */
	private static String config(String dnsRefresh, boolean checked) {
		return """
				wsgate:
				  http-servers:
				    - name: edge
				      port: 0
				      rules:
				        - paths:
				            - pathPrefix: /
				              backend: chat
				  pipelines:
				    - name: chat
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://%s:${backend.port}", weight: 7}]
				              dnsRefresh: %s
				""".formatted(NAME, dnsRefresh) + (checked ? """
				              healthCheck: {interval: 300ms, http: {uri: /health}}
				""" : "");
	}

	private String server(String address) {
		return "ws://" + NAME + ":" + b2.port() + " (" + address + ")";
	}

	@Test
	void serversFollowTheAddressesOfTheName() throws Exception {
		dns.answer(NAME, "127.0.0.2", "127.0.0.3");
		start();
		// Resolved before the gateway started: the servers are the addresses from the first handshake on.
		assertThat(urls(pool().servers())).containsExactly(server("127.0.0.2"), server("127.0.0.3"));
		ServerPool pool = pool();
		assertThat(pool.servers()).allSatisfy(server -> {
			assertThat(server.weight()).isEqualTo(7);
			assertThat(server.hostName()).isEqualTo(NAME);
		});
		// Each address is checked (health checks of their own) and gets sessions (round robin).
		await().atMost(Duration.ofSeconds(5)).until(() -> checked(b2) && checked(b3));
		for (int i = 0; i < 4; i++) {
			TestClient client = TestClient.connect(gateway.wsUrl("edge", "/s" + i));
			clients.add(client);
			client.sendText("hello " + i);
			assertThat(client.nextText()).isEqualTo("hello " + i);
		}
		assertThat(sessions(b2)).isEqualTo(2);
		assertThat(sessions(b3)).isEqualTo(2);
		// The backend is sent the name as Host, not the address dialled.
		assertThat(b2.handshakes.stream().filter(h -> h.uri().startsWith("/s")).findFirst().orElseThrow()
			.headers().get("Host")).isEqualTo(NAME + ":" + b2.port());
		TestClient onB2 = clients.get(b2.handshakes.stream().filter(h -> h.uri().startsWith("/s")).findFirst()
			.map(h -> Integer.parseInt(h.uri().substring(2))).orElseThrow());

		// The name gains 127.0.0.4 and loses 127.0.0.2: the servers follow within two periods.
		dns.answer(NAME, "127.0.0.3", "127.0.0.4");
		await().atMost(PERIOD.multipliedBy(2).plusMillis(500)).pollInterval(Duration.ofMillis(50))
			.until(() -> urls(pool().servers()), urls -> urls.equals(List.of(server("127.0.0.3"), server("127.0.0.4"))));
		await().atMost(Duration.ofSeconds(5)).until(() -> checked(b4));

		// The session on the lost address runs on (removedServers: keep).
		onB2.sendText("still here");
		assertThat(onB2.nextText()).isEqualTo("still here");
		assertThat(onB2.closeStatus).isNotDone();

		// New sessions go to the current addresses only.
		for (int i = 4; i < 8; i++) {
			TestClient client = TestClient.connect(gateway.wsUrl("edge", "/s" + i));
			clients.add(client);
			client.sendText("hello " + i);
			assertThat(client.nextText()).isEqualTo("hello " + i);
		}
		assertThat(sessions(b2)).isEqualTo(2);
		assertThat(sessions(b3) + sessions(b4)).isEqualTo(6);
		assertThat(sessions(b4)).isPositive();

		// Health and status pages show the current servers.
		String health = gateway.management("/actuator/health");
		assertThat(health).contains(server("127.0.0.3"), server("127.0.0.4")).doesNotContain(server("127.0.0.2"));
		String status = gateway.management("/actuator/wsgate");
		assertThat(status).contains(server("127.0.0.4"));

		// The lost server's meters go once its last session ends.
		MeterRegistry meters = gateway.bean(MeterRegistry.class);
		assertThat(meters.find("wsgate.server.healthy").tag("server", server("127.0.0.4")).gauge()).isNotNull();
		assertThat(meters.find("wsgate.messages").tag("server", server("127.0.0.2")).counters()).isNotEmpty();
		clients.stream().filter(client -> client != onB2).forEach(TestClient::close);
		onB2.close();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> meters.find("wsgate.messages").tag("server", server("127.0.0.2")).counters().isEmpty());
	}

	/**
	 * A wss:// server of a name: dialled at the address, while TLS sends and checks the name (the
	 * certificate names only backends-tls.wsgate.test, not 127.0.0.5) and the backend gets it as Host.
	 */
	@Test
	void aWssServerIsDialledAtTheAddressWithTheNameForTls(@TempDir Path dir) throws Exception {
		String name = "backends-tls.wsgate.test";
		TestCertificates.create(dir, "DNS:" + name);
		dns.answer(name, "127.0.0.5");
		try (TestBackend tls = new TestBackend("127.0.0.5", 0, SslContextBuilder
			.forServer(dir.resolve("server.pem").toFile(), dir.resolve("server.key").toFile()).build())) {
			gateway = Gateway.start("""
					wsgate:
					  http-servers:
					    - name: edge
					      port: 0
					      rules:
					        - paths:
					            - pathPrefix: /
					              backend: chat
					  pipelines:
					    - name: chat
					      filters:
					        - kind: WebSocketProxy
					          name: proxy
					          pools:
					            - servers: [{url: "wss://%s:${backend.port}"}]
					              dnsRefresh: 1s
					              serverTls: {ca: "${certs}/ca.pem"}
					""".formatted(name), Map.of("backend.port", tls.port(), "certs", "file:" + dir,
					"wsgate-test.dns-server", dns.address()));
			String server = "wss://" + name + ":" + tls.port() + " (127.0.0.5)";
			await().atMost(Duration.ofSeconds(5)).until(() -> urls(pool().servers()), urls -> urls.equals(List.of(server)));
			TestClient client = TestClient.connect(gateway.wsUrl("edge", "/tls"));
			clients.add(client);
			client.sendText("over tls");
			assertThat(client.nextText()).isEqualTo("over tls");
			assertThat(tls.lastHandshake().headers().get("Host")).isEqualTo(name + ":" + tls.port());
		}
	}

	@Test
	void withRemovedServersDrainASessionOnALostAddressIsClosedAfterTheDrainPeriod() throws Exception {
		dns.answer(NAME, "127.0.0.2");
		gateway = Gateway.start(config("1s", false) + """
				  reload:
				    removedServers: drain
				  shutdown:
				    drainPeriod: 200ms
				""", Map.of("backend.port", b2.port(), "wsgate-test.dns-server", dns.address()));
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/s0"));
		clients.add(client);
		client.sendText("hello");
		assertThat(client.nextText()).isEqualTo("hello");
		assertThat(sessions(b2)).isEqualTo(1);

		dns.answer(NAME, "127.0.0.3");
		await().atMost(PERIOD.multipliedBy(2).plusMillis(500)).pollInterval(Duration.ofMillis(50))
			.until(() -> urls(pool().servers()), urls -> urls.equals(List.of(server("127.0.0.3"))));
		assertThat(client.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1001);
		TestClient next = TestClient.connect(gateway.wsUrl("edge", "/s1"));
		clients.add(next);
		next.sendText("again");
		assertThat(next.nextText()).isEqualTo("again");
		assertThat(sessions(b3)).isEqualTo(1);
	}

	@Test
	void aFailedResolutionKeepsTheLastKnownAddressesAndIsCounted() throws Exception {
		dns.answer(NAME, "127.0.0.2", "127.0.0.3");
		start();
		await().atMost(Duration.ofSeconds(5)).until(() -> pool().servers().size() == 2);
		ServerPool before = pool();
		dns.fail(true);
		MeterRegistry meters = gateway.bean(MeterRegistry.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> failures(meters) >= 2);
		assertThat(pool()).isSameAs(before);
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/s0"));
		clients.add(client);
		client.sendText("hello");
		assertThat(client.nextText()).isEqualTo("hello");

		// Resolving again, a change is followed again.
		dns.fail(false);
		dns.answer(NAME, "127.0.0.4");
		await().atMost(Duration.ofSeconds(5)).until(() -> urls(pool().servers()), urls -> urls.equals(List.of(server("127.0.0.4"))));
	}

	@Test
	void oneTimerPerNameWhateverTheRebuildsAndNoneAfterAReloadThatTurnsItOff(@TempDir Path dir) throws Exception {
		dns.answer(NAME, "127.0.0.2");
		Path file = dir.resolve("wsgate.yml");
		Files.writeString(file, config("1s", false));
		gateway = Gateway.start(file, Map.of("backend.port", b2.port(), "wsgate-test.dns-server", dns.address()));
		await().atMost(Duration.ofSeconds(5)).until(() -> pool().servers().size() == 1
				&& pool().servers().get(0).hostName() != null);
		DnsDiscovery discovery = gateway.bean(DnsDiscovery.class);
		// One timer, however many runtimes the changes of addresses built.
		for (String address : List.of("127.0.0.3", "127.0.0.4", "127.0.0.2")) {
			dns.answer(NAME, address);
			await().atMost(Duration.ofSeconds(5)).until(() -> urls(pool().servers()), urls -> urls.equals(List.of(server(address))));
			// The runtime the change built is in force; the one it replaced stops its timer as it retires.
			await().atMost(Duration.ofSeconds(5)).until(discovery::activeTasks, tasks -> tasks == 1);
		}
		// A reload that keeps dnsRefresh keeps the addresses known (no server by name in between).
		Files.writeString(file, config("2s", false));
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		assertThat(urls(pool().servers())).containsExactly(server("127.0.0.2"));
		assertThat(discovery.activeTasks()).isEqualTo(1);
		// A reload that turns it off stops the old runtime's timer: the server is the name again.
		Files.writeString(file, config("0", false));
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		assertThat(urls(pool().servers())).containsExactly("ws://" + NAME + ":" + b2.port());
		assertThat(discovery.activeTasks()).isZero();
		int queries = dns.queries(NAME);
		dns.answer(NAME, "127.0.0.3");
		// Nothing resolves it any more (a query per period would have come by now).
		await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
			.until(() -> dns.queries(NAME) == queries && urls(pool().servers()).equals(List.of("ws://" + NAME + ":" + b2.port())));
	}

	private double failures(MeterRegistry meters) {
		return meters.find("wsgate.dns.failures").tag("host", NAME).counters().stream().mapToDouble(Counter::count).sum();
	}

	private ServerPool pool() {
		List<PoolRegistry.Entry> entries = gateway.bean(PoolRegistry.class).entries();
		assertThat(entries).hasSize(1);
		return entries.get(0).pool();
	}

	private static List<String> urls(List<Server> servers) {
		return servers.stream().map(Server::url).toList();
	}

	private static boolean checked(TestBackend backend) {
		return backend.handshakes.stream().anyMatch(h -> h.uri().equals("/health"));
	}

	private static int sessions(TestBackend backend) {
		return (int) backend.handshakes.stream().filter(h -> h.uri().startsWith("/s")).count();
	}
}
