package io.wsgate.it;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.wsgate.health.HealthCheckScheduler;
import io.wsgate.pool.PoolRegistry;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.session.SessionRegistry;
import io.wsgate.runtime.GatewayRuntimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.http.client.ReactorResourceFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * 200 sessions held across 20 reloads in a row, each adding or removing a server of their pool:
 * none is lost, every count (sessions gauge, pool counts, the pool's session limit) stays exact, and
 * nothing leaks: meters, health tasks, event-loop timers.
 */
class LiveConfigSoakIntegrationTests {

	private static final int SESSIONS = 200;

	private static final int RELOADS = 20;

	private final TestBackend a = new TestBackend();

	private final TestBackend b = new TestBackend();

	private final TestBackend c = new TestBackend();

	private final List<TestClient> clients = new ArrayList<>();

	private Gateway gateway;

	@TempDir
	Path dir;

	@AfterEach
	void stop() {
		clients.forEach(TestClient::close);
		if (gateway != null) {
			gateway.close();
		}
		a.close();
		b.close();
		c.close();
	}

	/** Even: servers a and b; odd: a and c, and another filter name. */
	private static String config(int generation) {
		String second = (generation % 2 == 0) ? "${backend.b}" : "${backend.c}";
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
				            - servers: [{url: "ws://127.0.0.1:${backend.a}"}, {url: "ws://127.0.0.1:%s"}]
				              loadBalance: {policy: leastSessions}
				              maxSessions: %d
				              healthCheck: {interval: 500ms, http: {uri: /}}
				  shutdown:
				    drainPeriod: 100ms
				# generation %d
				""".formatted(second, SESSIONS, generation);
	}

	@Test
	void sessionsSurviveTwentyReloadsWithExactCountsAndNothingLeaked() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		Files.writeString(file, config(0));
		gateway = Gateway.start(file, Map.of("backend.a", a.port(), "backend.b", b.port(), "backend.c", c.port()));
		for (int i = 0; i < SESSIONS; i++) {
			clients.add(TestClient.connect(gateway.wsUrl("edge", "/s" + i)));
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> sessions(a) + sessions(b) == SESSIONS);
		assertThat(sessions(a)).isEqualTo(SESSIONS / 2);
		Set<Meter.Id> metersBefore = wsgateMeters();
		int healthTasksBefore = gateway.bean(HealthCheckScheduler.class).activeTasks();
		int timersBefore = IntStream.range(0, 5).map(i -> eventLoopTimers()).min().getAsInt();
		assertThat(healthTasksBefore).isEqualTo(2);

		for (int generation = 1; generation <= RELOADS; generation++) {
			Files.writeString(file, config(generation));
			assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		}

		// None lost: each one still echoes.
		for (int i = 0; i < SESSIONS; i++) {
			clients.get(i).sendText("message " + i);
		}
		for (int i = 0; i < SESSIONS; i++) {
			assertThat(clients.get(i).nextText()).isEqualTo("message " + i);
			assertThat(clients.get(i).closeStatus).isNotDone();
		}
		assertThat(gauge("wsgate.sessions.active")).isEqualTo(SESSIONS);
		assertThat(gateway.bean(SessionRegistry.class).active()).isEqualTo(SESSIONS);
		ServerPool pool = onlyPool();
		assertThat(pool.servers().stream().mapToInt(pool::openSessions).sum()).isEqualTo(SESSIONS);
		assertThat(gateway.bean(SessionRegistry.class).active(pool)).isEqualTo(SESSIONS);
		assertThat(wsgateMeters()).isEqualTo(metersBefore);
		assertThat(gateway.bean(HealthCheckScheduler.class).activeTasks()).isEqualTo(healthTasksBefore);
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
			.until(() -> eventLoopTimers() == timersBefore);

		// The pool's limit still counts the sessions opened before the reloads.
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/one-too-many")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, ex -> assertThat(ex.status).isEqualTo(503));
		// leastSessions still sees them: a session closed on b makes b the one with the fewest.
		TestClient onB = clients.stream().filter(client -> b.handshakes.stream()
			.anyMatch(h -> h.uri().equals(uri(client)))).findFirst().orElseThrow();
		onB.close();
		await().atMost(Duration.ofSeconds(5)).until(() -> gateway.bean(SessionRegistry.class).active() == SESSIONS - 1);
		clients.add(TestClient.connect(gateway.wsUrl("edge", "/refill")));
		await().atMost(Duration.ofSeconds(5)).until(() -> b.handshakes.stream().anyMatch(h -> h.uri().equals("/refill")));
	}

	/** Sessions a backend accepted (its health checks are handshakes too, on /). */
	private static int sessions(TestBackend backend) {
		return backend.handshakes.stream().filter(h -> h.uri().startsWith("/s")).mapToInt(h -> 1).sum();
	}

	private String uri(TestClient client) {
		return "/s" + clients.indexOf(client);
	}

	private ServerPool onlyPool() {
		List<PoolRegistry.Entry> entries = gateway.bean(PoolRegistry.class).entries();
		assertThat(entries).hasSize(1);
		return entries.get(0).pool();
	}

	private Set<Meter.Id> wsgateMeters() {
		return gateway.bean(MeterRegistry.class).getMeters().stream().map(Meter::getId)
			.filter(id -> id.getName().startsWith("wsgate.") && !id.getName().equals("wsgate.config.reloads"))
			.collect(Collectors.toSet());
	}

	private double gauge(String name) {
		return gateway.bean(MeterRegistry.class).find(name).gauges().stream().mapToDouble(g -> g.value()).sum();
	}

	/** Timers pending on the gateway's event loops (session timers, connect timeouts, ...). */
	private int eventLoopTimers() {
		ReactorResourceFactory resources = gateway.bean(ReactorResourceFactory.class);
		Set<EventExecutor> loops = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
		for (EventLoopGroup group : List.of(resources.getLoopResources().onServer(true),
				resources.getLoopResources().onClient(true))) {
			group.forEach(loops::add);
		}
		int total = 0;
		for (EventExecutor loop : loops) {
			try {
				total += loop.submit(() -> pending(loop)).get();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}
		return total;
	}

	private static int pending(EventExecutor loop) throws ReflectiveOperationException {
		Field field = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
		field.setAccessible(true);
		Collection<?> queue = (Collection<?>) field.get(loop);
		return (queue != null) ? queue.size() : 0;
	}

}
