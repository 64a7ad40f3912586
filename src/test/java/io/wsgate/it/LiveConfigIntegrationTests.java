package io.wsgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.config.easegress.EasegressSeed;
import io.wsgate.it.TestBackend.Frame;
import io.wsgate.runtime.GatewayRuntimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Live configuration over real sockets: a reload changes routes, pools and filters while the
 * sessions opened before it run on; the config file is watched (also through a ConfigMap's
 * {@code ..data} symlink); a broken file changes nothing and says why.
 */
class LiveConfigIntegrationTests {

	private final TestBackend a = new TestBackend();

	private final TestBackend b = new TestBackend();

	private Gateway gateway;

	@TempDir
	Path dir;

	@AfterEach
	void stop() {
		if (gateway != null) {
			gateway.close();
		}
		a.close();
		b.close();
	}

	/** One http server routing {@code prefix} to pipeline chat, whose filter and pool are given. */
	private static String config(boolean watch, String prefix, String filterName, String compression, String servers) {
		return GatewayYaml.edge()
			.wsgate("""
					reload:
					  enabled: %s
					""".formatted(watch))
			.pipeline("pathPrefix: " + prefix, "chat", """
					- kind: WebSocketProxy
					  name: %s
					  compression: %s
					  pools:
					    - servers: [%s]
					""".formatted(filterName, compression, servers))
			.build();
	}

	/** Another http server entry, routing everything to chat. */
	private static String listener(String name, int port) {
		return "    - name: " + name + "\n      port: " + port + "\n      rules:\n        - paths:\n"
				+ "            - pathPrefix: /\n              backend: chat\n";
	}

	private Gateway start(Path file, String yaml) throws IOException {
		Files.writeString(file, yaml);
		return Gateway.start(file, Map.of("backend.a", a.port(), "backend.b", b.port()));
	}

	@Test
	void sessionOpenedBeforeReloadStillEchoesAndPassesItsCloseCode() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		gateway = start(file, config(false, "/old", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		String versionBefore = gateway.bean(GatewayRuntimes.class).status().version();
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/old/chat"));
		TestBackend.Session atA = a.nextSession();

		// Its route, its pool's servers and its pipeline's filter all change.
		Files.writeString(file, config(false, "/new", "proxy2", "off", "{url: \"ws://127.0.0.1:${backend.b}\"}"));
		String result = gateway.managementPost("/actuator/wsgate/reload");
		assertThat(result).contains("\"outcome\":\"applied\"");
		assertThat(gateway.bean(GatewayRuntimes.class).status().version()).isNotEqualTo(versionBefore);

		client.sendText("héllo ✓ after the reload");
		assertThat(client.nextText()).isEqualTo("héllo ✓ after the reload");
		byte[] binary = new byte[20_000];
		Arrays.fill(binary, (byte) 0xA5);
		binary[0] = 0;
		client.sendBinary(binary);
		Frame echoed = client.nextFrame();
		assertThat(echoed.type()).isEqualTo("binary");
		assertThat(echoed.data()).isEqualTo(binary);

		// New handshakes see the new configuration.
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/old/chat")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, ex -> assertThat(ex.status).isEqualTo(404));
		try (TestClient fresh = TestClient.connect(gateway.wsUrl("edge", "/new/chat"))) {
			assertThat(b.nextSession()).isNotNull();
			fresh.sendText("to b");
			assertThat(fresh.nextText()).isEqualTo("to b");
		}

		atA.close(4003, "backend a says bye");
		WebSocketCloseStatus status = client.awaitClose(Duration.ofSeconds(5));
		assertThat(status.code()).isEqualTo(4003);
		assertThat(status.reasonText()).isEqualTo("backend a says bye");
	}

	@Test
	void changedFileAnswersWithinTwoSecondsAndBrokenFileChangesNothing() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		gateway = start(file, config(true, "/old", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));

		Files.writeString(file, config(true, "/fresh", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
			.untilAsserted(() -> TestClient.connect(gateway.wsUrl("edge", "/fresh/x")).close());
		String applied = gateway.bean(GatewayRuntimes.class).status().version();

		Files.writeString(file, config(true, "/broken", "proxy", "sometimes", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		await().atMost(Duration.ofSeconds(5))
			.until(() -> gateway.bean(GatewayRuntimes.class).status().lastRejection() != null);
		assertThat(gateway.bean(GatewayRuntimes.class).status().version()).isEqualTo(applied);
		assertThat(gateway.management("/actuator/wsgate")).contains("\"lastRejection\"")
			.contains("wsgate.pipelines[0].filters[0].compression");
		String answer = gateway.managementPost("/actuator/wsgate/reload");
		assertThat(answer).contains("\"outcome\":\"rejected\"").contains("wsgate.pipelines[0].filters[0].compression");
		assertThat(gateway.management("/actuator/prometheus"))
			.containsPattern("wsgate_config_reloads_total\\{[^}]*outcome=\"rejected\"[^}]*} [1-9]");
		TestClient.connect(gateway.wsUrl("edge", "/fresh/x")).close();
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/broken/x")))
			.isInstanceOf(TestClient.HandshakeFailed.class);
	}

	@Test
	void configMapSymlinkSwapIsSeen() throws Exception {
		// The layout of a Kubernetes ConfigMap volume: the file is a link through ..data to a timestamped folder.
		Path v1 = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.1"));
		Files.writeString(v1.resolve("wsgate.yml"),
				config(true, "/old", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
		Path file = dir.resolve("wsgate.yml");
		Files.createSymbolicLink(file, Path.of("..data/wsgate.yml"));
		gateway = Gateway.start(file, Map.of("backend.a", a.port(), "backend.b", b.port()));

		Path v2 = Files.createDirectory(dir.resolve("..2026_01_01_00_01_00.2"));
		Files.writeString(v2.resolve("wsgate.yml"),
				config(true, "/fresh", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
		Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

		await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
			.untilAsserted(() -> TestClient.connect(gateway.wsUrl("edge", "/fresh/x")).close());
	}

	@Test
	void portThatCannotBeBoundRejectsTheWholeReload() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		gateway = start(file, config(false, "/old", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		String version = gateway.bean(GatewayRuntimes.class).status().version();
		try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("0.0.0.0"))) {
			String second = config(false, "/fresh", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}")
				.replace("  pipelines:", listener("extra", taken.getLocalPort()) + "  pipelines:");
			Files.writeString(file, second);
			String answer = gateway.managementPost("/actuator/wsgate/reload");
			assertThat(answer).contains("\"outcome\":\"rejected\"").contains("wsgate.http-servers[1].port");
		}
		assertThat(gateway.bean(GatewayRuntimes.class).status().version()).isEqualTo(version);
		TestClient.connect(gateway.wsUrl("edge", "/old/x")).close();
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/fresh/x")))
			.isInstanceOf(TestClient.HandshakeFailed.class);
	}

	@Test
	void addedHttpServerListensAndRemovedOneStopsAccepting() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		String base = config(false, "/", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}");
		gateway = start(file, base);
		String withSecond = base.replace("  pipelines:", listener("second", 0) + "  pipelines:");
		Files.writeString(file, withSecond);
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		int secondPort = gateway.port("second");
		TestClient onSecond = TestClient.connect("ws://127.0.0.1:" + secondPort + "/x");
		a.nextSession();

		Files.writeString(file, base);
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		// removedServers: keep (the default): the session on the removed http server runs on.
		onSecond.sendText("still here");
		assertThat(onSecond.nextText()).isEqualTo("still here");
		await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> assertThatThrownBy(
				() -> new java.net.Socket("127.0.0.1", secondPort).close()).isInstanceOf(IOException.class));
		onSecond.close();
		assertThat(onSecond.disconnected).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void removedServersDrainClosesTheirSessionsWith1001AfterTheDrainPeriod() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		String both = config(false, "/", "proxy", "passthrough",
				"{url: \"ws://127.0.0.1:${backend.a}\"}, {url: \"ws://127.0.0.1:${backend.b}\"}")
			.replace("  reload:\n", "  shutdown:\n    drainPeriod: 300ms\n  reload:\n    removedServers: drain\n");
		gateway = start(file, both);
		TestClient first = TestClient.connect(gateway.wsUrl("edge", "/1"));
		TestClient second = TestClient.connect(gateway.wsUrl("edge", "/2"));
		// Round robin: one session on each backend.
		await().atMost(Duration.ofSeconds(5)).until(() -> a.handshakes.size() == 1 && b.handshakes.size() == 1);
		TestClient onB = b.handshakes.get(0).uri().equals("/1") ? first : second;
		TestClient onA = (onB == first) ? second : first;

		Files.writeString(file, both.replace(", {url: \"ws://127.0.0.1:${backend.b}\"}", ""));
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		assertThat(onB.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1001);
		onA.sendText("on a");
		assertThat(onA.nextText()).isEqualTo("on a");
		assertThat(onA.closeStatus).isNotDone();
	}

	@Test
	void dashboardShowsTheConfigurationInForceAndTheLastRejection(@TempDir Path profile) throws Exception {
		Chromium chromium = Chromium.require(profile);
		Path file = dir.resolve("wsgate.yml");
		gateway = start(file, config(false, "/old", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}"));
		String version = gateway.bean(GatewayRuntimes.class).status().version();
		String dashboard = "http://127.0.0.1:" + gateway.managementPort() + "/actuator/dashboard";
		assertThat(chromium.dumpDom(dashboard)).contains("config " + version)
			.containsPattern("id=\"rejection\" hidden");

		Files.writeString(file, config(false, "/old", "proxy", "passthrough", "{url: \"ws://127.0.0.1:${backend.a}\"}")
			.replace("compression: passthrough", "compression: passthrough\n          clientMaxMsgSise: 1"));
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"rejected\"");
		String dom = chromium.dumpDom(dashboard);
		assertThat(dom).contains("config " + version).contains("Last configuration reload rejected")
			.contains("wsgate.pipelines[0].filters[0].clientMaxMsgSise");
	}

	@Test
	void removedServerKeepsItsSessionAndMetersUntilTheSessionEnds() throws Exception {
		Path file = dir.resolve("wsgate.yml");
		String both = config(false, "/", "proxy", "passthrough",
				"{url: \"ws://127.0.0.1:${backend.a}\"}, {url: \"ws://127.0.0.1:${backend.b}\"}");
		gateway = start(file, both);
		TestClient first = TestClient.connect(gateway.wsUrl("edge", "/1"));
		TestClient second = TestClient.connect(gateway.wsUrl("edge", "/2"));
		await().atMost(Duration.ofSeconds(5)).until(() -> a.handshakes.size() == 1 && b.handshakes.size() == 1);
		TestClient onB = b.handshakes.get(0).uri().equals("/1") ? first : second;
		String serverB = "ws://127.0.0.1:" + b.port();
		MeterRegistry registry = gateway.bean(MeterRegistry.class);

		Files.writeString(file, both.replace(", {url: \"ws://127.0.0.1:${backend.b}\"}", ""));
		assertThat(gateway.managementPost("/actuator/wsgate/reload")).contains("\"outcome\":\"applied\"");
		// removedServers: keep (the default): the session runs on, counted and metered.
		onB.sendText("still on b");
		assertThat(onB.nextText()).isEqualTo("still on b");
		assertThat(registry.find("wsgate.sessions.active").tag("server", serverB).gauge().value()).isEqualTo(1);
		assertThat((Integer) JsonPath.read(gateway.management("/actuator/wsgate"), "$.totals.activeSessions")).isEqualTo(2);

		onB.close();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> registry.getMeters().stream().noneMatch(m -> serverB.equals(m.getId().getTag("server"))));
		assertThat((Integer) JsonPath.read(gateway.management("/actuator/wsgate"), "$.totals.activeSessions")).isEqualTo(1);
	}

	@Test
	void changedEasegressFileIsAppliedLiveToo() throws Exception {
		try (TestBackend c = new TestBackend(); TestBackend d = new TestBackend(); TestBackend e = new TestBackend()) {
			Path objects = Files.createDirectory(dir.resolve("easegress")).resolve("seed.yaml");
			String pipeline = EasegressSeed.PIPELINE.replace("ws://127.0.0.1:9095", c.url())
				.replace("ws://127.0.0.1:9096", d.url()).replace("ws://127.0.0.1:9097", e.url());
			String server = EasegressSeed.HTTP_SERVER.replace("port: 8080", "port: 0");
			Files.writeString(objects, pipeline.replace("ws://127.0.0.1:12345", a.url()) + "---\n" + server);
			// (the objects of a folder: *.yaml files in name order)
			Path file = dir.resolve("wsgate.yml");
			gateway = start(file, "wsgate:\n  reload:\n    enabled: true\n  easegress:\n    files: [\"file:" + objects.getParent()
					+ "/\"]\n");
			TestClient.connect(gateway.wsUrl("demo-server", "/ws")).close();
			String version = gateway.bean(GatewayRuntimes.class).status().version();

			// The Easegress folder alone changes: its first server is now b, in a file added there.
			Files.writeString(objects, pipeline.replace("ws://127.0.0.1:12345", b.url()));
			Files.writeString(objects.resolveSibling("server.yaml"), server);
			await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
				TestClient.connect(gateway.wsUrl("demo-server", "/ws")).close();
				return !b.handshakes.isEmpty();
			});
			assertThat(gateway.bean(GatewayRuntimes.class).status().version()).isNotEqualTo(version);
		}
	}
}
