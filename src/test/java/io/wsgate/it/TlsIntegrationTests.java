package io.wsgate.it;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** wss:// listeners (with optional client certificates) and wss:// backends with their own CA and mTLS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIntegrationTests {

	@TempDir
	static Path dir;

	private TestCertificates certs;

	private TestBackend mtlsBackend;

	private Gateway gateway;

	private SslContext clientTrustingCa;

	private SslContext clientWithCertificate;

	@BeforeAll
	void start() throws Exception {
		certs = TestCertificates.create(dir);
		File ca = dir.resolve("ca.pem").toFile();
		// A backend that requires a client certificate signed by the test CA.
		mtlsBackend = new TestBackend(SslContextBuilder.forServer(dir.resolve("server.pem").toFile(), dir.resolve("server.key").toFile())
			.trustManager(ca)
			.clientAuth(ClientAuth.REQUIRE)
			.build());
		clientTrustingCa = SslContextBuilder.forClient().trustManager(ca).build();
		clientWithCertificate = SslContextBuilder.forClient().trustManager(ca)
			.keyManager(dir.resolve("client.pem").toFile(), dir.resolve("client.key").toFile()).build();
		gateway = Gateway.start("""
				wsgate:
				  http-servers:
				    - name: secure
				      port: 0
				      tls: {cert: "${certs}/server.pem", key: "${certs}/server.key"}
				      rules:
				        - paths:
				            - {path: /mtls, backend: mtls}
				            - {path: /untrusted, backend: untrusted}
				            - {path: /skip, backend: skip}
				    - name: clientcert
				      port: 0
				      tls: {cert: "${certs}/server.pem", key: "${certs}/server.key", clientAuth: need, clientCa: "${certs}/ca.pem"}
				      rules:
				        - paths: [{path: /mtls, backend: mtls}]
				  pipelines:
				    - name: mtls
				      filters:
				        - kind: WebSocketProxy
				          name: p
				          pools:
				            - servers: [{url: "wss://localhost:${backend}"}]
				              serverTls: {ca: "${certs}/ca.pem", cert: "${certs}/client.pem", key: "${certs}/client.key"}
				    - name: untrusted
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "wss://localhost:${backend}"}]}]}
				    - name: skip
				      filters:
				        - kind: WebSocketProxy
				          name: p
				          pools:
				            - servers: [{url: "wss://127.0.0.1:${backend}"}]
				              serverTls: {insecureSkipVerify: true, cert: "${certs}/client.pem", key: "${certs}/client.key"}
				""", Map.of("certs", "file:" + dir, "backend", mtlsBackend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		mtlsBackend.close();
	}

	private String wss(String server, String path) {
		return "wss://localhost:" + gateway.port(server) + path;
	}

	@Test
	void wssClientToWssBackendWithMutualTls() throws Exception {
		try (TestClient client = TestClient.connect(wss("secure", "/mtls"), Map.of(), null, clientTrustingCa)) {
			client.sendText("over TLS both ways");
			assertThat(client.nextText()).isEqualTo("over TLS both ways");
			assertThat(mtlsBackend.lastHandshake().headers().get("X-Forwarded-Proto")).isEqualTo("https");
			// Later messages are relayed as raw frames: they go through TLS on both sides all the same.
			for (int i = 0; i < 50; i++) {
				client.sendText("message " + i + " " + "x".repeat(i * 100));
			}
			for (int i = 0; i < 50; i++) {
				assertThat(client.nextText()).isEqualTo("message " + i + " " + "x".repeat(i * 100));
			}
		}
	}

	@Test
	void backendCertificateOutsideTheTrustStoreIsRefusedWith502() {
		assertThatThrownBy(() -> TestClient.connect(wss("secure", "/untrusted"), Map.of(), null, clientTrustingCa))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> assertThat(failed.status).isEqualTo(502));
	}

	@Test
	void insecureSkipVerifyAcceptsTheBackendWhateverItsNameAndIssuer() throws Exception {
		try (TestClient client = TestClient.connect(wss("secure", "/skip"), Map.of(), null, clientTrustingCa)) {
			client.sendText("trusting anything");
			assertThat(client.nextText()).isEqualTo("trusting anything");
		}
	}

	@Test
	void listenerRequiringClientCertificatesRefusesClientsWithoutOne() throws Exception {
		assertThatThrownBy(() -> TestClient.connect(wss("clientcert", "/mtls"), Map.of(), null, clientTrustingCa))
			.isNotNull();
		try (TestClient client = TestClient.connect(wss("clientcert", "/mtls"), Map.of(), null, clientWithCertificate)) {
			client.sendText("with my certificate");
			assertThat(client.nextText()).isEqualTo("with my certificate");
		}
	}
}
