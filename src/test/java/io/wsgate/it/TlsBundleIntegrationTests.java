package io.wsgate.it;

import java.nio.file.Path;
import java.util.Map;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Listener and pool TLS from Spring Boot SSL bundles: bundles are checked with the rest of the config. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsBundleIntegrationTests {

	@TempDir
	static Path dir;

	private TestBackend backend;

	private Map<String, Object> bundles;

	@BeforeAll
	void start() throws Exception {
		TestCertificates certs = TestCertificates.create(dir);
		backend = new TestBackend(SslContextBuilder.forServer(dir.resolve("server.pem").toFile(),
				dir.resolve("server.key").toFile()).build());
		bundles = Map.of("spring.ssl.bundle.pem.edge.keystore.certificate", certs.location("server.pem"),
				"spring.ssl.bundle.pem.edge.keystore.private-key", certs.location("server.key"),
				"spring.ssl.bundle.pem.backends.truststore.certificate", certs.location("ca.pem"),
				"backend", backend.port(), "certs", "file:" + dir);
	}

	@AfterAll
	void stop() {
		backend.close();
	}

	@Test
	void aListenerAndAPoolOnDefinedBundlesStartAndProxyWssToWss() throws Exception {
		SslContext clientTrustingCa = SslContextBuilder.forClient().trustManager(dir.resolve("ca.pem").toFile()).build();
		try (Gateway gateway = Gateway.start(config("{bundle: edge}", "{bundle: backends}"), bundles);
				TestClient client = TestClient.connect("wss://localhost:" + gateway.port("secure") + "/ws", Map.of(), null,
						clientTrustingCa)) {
			client.sendText("bundles both ways");
			assertThat(client.nextText()).isEqualTo("bundles both ways");
		}
	}

	@Test
	void aBundleWithPemLocationsStopsStartupInsteadOfIgnoringThem() {
		assertThatThrownBy(() -> Gateway.start(config("{bundle: edge, clientCa: \"${certs}/ca.pem\"}",
				"{bundle: backends, ca: \"${certs}/ca.pem\"}"), bundles).close())
			.hasStackTraceContaining("wsgate.http-servers[0].tls: set bundle or cert/key/clientCa, not both")
			.hasStackTraceContaining("wsgate.pipelines[0].filters[0].pools[0].serverTls: set bundle or ca/cert/key, not both");
	}

	@Test
	void bundleNamesThatNameNoBundleStopStartupNamingTheirKeys() {
		assertThatThrownBy(() -> Gateway.start(config("{bundle: edg}", "{bundle: backend}"), bundles).close())
			.hasStackTraceContaining("wsgate.http-servers[0].tls.bundle: no SSL bundle named 'edg' (defined: backends, edge)")
			.hasStackTraceContaining("wsgate.pipelines[0].filters[0].pools[0].serverTls.bundle: no SSL bundle named 'backend'");
	}

	private static String config(String tls, String serverTls) {
		return GatewayYaml.server("secure")
			.serverKeys("tls: " + tls)
			.proxyName("wsproxy")
			.proxy("path: /ws", "p", "wss://localhost:${backend}", "serverTls: " + serverTls)
			.build();
	}
}
