package io.wsgate.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener on an SSL bundle with {@code reload-on-update}: a renewed certificate (cert-manager
 * rewriting its Secret) is served to new connections without a restart, and open sessions go on.
 */
class TlsReloadIntegrationTests {

	@TempDir
	Path dir;

	@Test
	void aRenewedCertificateIsServedWithoutARestartAndOpenSessionsGoOn() throws Exception {
		Path first = Files.createDirectories(dir.resolve("first"));
		Path renewed = Files.createDirectories(dir.resolve("renewed"));
		Path live = Files.createDirectories(dir.resolve("live"));
		TestCertificates.create(first);
		TestCertificates.create(renewed);
		install(first, live);
		try (TestBackend backend = new TestBackend();
				Gateway gateway = GatewayYaml.server("secure")
					.serverKeys("tls: {bundle: edge}")
					.proxyName("wsproxy")
					.proxy("path: /ws", "p", "ws://127.0.0.1:${backend}")
					.start(Map.of("backend", backend.port(),
							"spring.ssl.bundle.pem.edge.keystore.certificate", "file:" + live.resolve("server.pem"),
							"spring.ssl.bundle.pem.edge.keystore.private-key", "file:" + live.resolve("server.key"),
							"spring.ssl.bundle.pem.edge.reload-on-update", "true",
							"spring.ssl.bundle.watch.file.quiet-period", "100ms"));
				TestClient open = TestClient.connect(url(gateway), Map.of(), null, trusting(first))) {
			open.sendText("before");
			assertThat(open.nextText()).isEqualTo("before");

			install(renewed, live);

			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
				try (TestClient client = TestClient.connect(url(gateway), Map.of(), null, trusting(renewed))) {
					client.sendText("renewed");
					assertThat(client.nextText()).isEqualTo("renewed");
				}
			});
			open.sendText("still open");
			assertThat(open.nextText()).isEqualTo("still open");
		}
	}

	private static String url(Gateway gateway) {
		return "wss://localhost:" + gateway.port("secure") + "/ws";
	}

	private static SslContext trusting(Path certificates) throws Exception {
		return SslContextBuilder.forClient().trustManager(certificates.resolve("ca.pem").toFile()).build();
	}

	/** Replaces the served files as a renewal does: each written whole, then moved into place. */
	private static void install(Path from, Path live) throws Exception {
		for (String file : new String[] { "server.key", "server.pem" }) {
			Path staged = live.resolve(file + ".new");
			Files.copy(from.resolve(file), staged, StandardCopyOption.REPLACE_EXISTING);
			Files.move(staged, live.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
	}
}
