package io.wsgate.it;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code trustedProxies}: behind a load balancer, the client named by X-Forwarded-For is the one that
 * limits, ipHash and the access log see, and the balancer's X-Forwarded-Proto/-Host reach the
 * backend; from any other peer nothing of that is believed. The tests connect from 127.0.0.1,
 * trusted on one http server and not on the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ForwardedClientsIntegrationTests {

	private final TestBackend echo = new TestBackend();

	private final TestBackend hashedA = new TestBackend();

	private final TestBackend hashedB = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = Gateway.start("""
				wsgate:
				  http-servers:
				    - name: behind-lb
				      port: 0
				      trustedProxies: [127.0.0.0/8, "::1"]
				      rules:
				        - paths:
				            - {path: /ws, backend: echo}
				            - {path: /hashed, backend: hashed}
				            - {path: /private, backend: echo, ipFilter: {blockByDefault: true, allowIPs: [203.0.113.0/24]}}
				    - name: direct
				      port: 0
				      rules: [{paths: [{path: /ws, backend: echo}]}]
				    - name: office-only
				      port: 0
				      ipFilter: {allowIPs: [192.0.2.0/24]}
				      rules: [{paths: [{path: /ws, backend: echo}]}]
				  limits:
				    maxSessionsPerClientIp: 1
				  pipelines:
				    - name: echo
				      filters:
				        - {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${echo}"}]}]}
				    - name: hashed
				      filters:
				        - kind: WebSocketProxy
				          name: wsproxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${a}"}, {url: "ws://127.0.0.1:${b}"}]
				              loadBalance: {policy: ipHash}
				""", Map.of("echo", echo.port(), "a", hashedA.port(), "b", hashedB.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		echo.close();
		hashedA.close();
		hashedB.close();
	}

	@Test
	void fromATrustedProxyTheForwardedClientAndItsProtoAndHostReachTheBackend(CapturedOutput output) throws Exception {
		assertThat(RawHttp.send(gateway.port("behind-lb"), handshake("/ws", "198.51.100.1, 203.0.113.5")
				+ "X-Forwarded-Proto: https\r\nX-Forwarded-Host: chat.example.com\r\n").status()).isEqualTo(101);

		HttpHeaders seen = echo.lastHandshake().headers();
		assertThat(seen.getAll("X-Forwarded-For")).containsExactly("198.51.100.1, 203.0.113.5, 127.0.0.1");
		assertThat(seen.getAll("X-Forwarded-Proto")).containsExactly("https");
		assertThat(seen.getAll("X-Forwarded-Host")).containsExactly("chat.example.com");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output).contains("client=203.0.113.5 host=gw path=/ws httpServer=behind-lb"));
	}

	@Test
	void fromAnyOtherPeerTheForwardedHeadersAreNotBelieved(CapturedOutput output) throws Exception {
		upgradeDirectly(handshake("/ws", "203.0.113.6") + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: forged.example.com\r\n");

		HttpHeaders seen = echo.lastHandshake().headers();
		assertThat(seen.getAll("X-Forwarded-For")).containsExactly("203.0.113.6, 127.0.0.1");
		assertThat(seen.getAll("X-Forwarded-Proto")).containsExactly("http");
		assertThat(seen.getAll("X-Forwarded-Host")).containsExactly("gw");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output).contains("client=127.0.0.1 host=gw path=/ws httpServer=direct"));
	}

	@Test
	void thePerClientLimitCountsForwardedClientsApart() throws Exception {
		try (Socket held = new Socket("127.0.0.1", gateway.port("behind-lb"))) {
			held.getOutputStream().write((handshake("/ws", "203.0.113.20") + "\r\n").getBytes(StandardCharsets.US_ASCII));
			InputStream in = held.getInputStream();
			assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");

			assertThat(RawHttp.send(gateway.port("behind-lb"), handshake("/ws", "203.0.113.20")).status())
				.as("the same client again: over its limit of one").isEqualTo(429);
			assertThat(RawHttp.send(gateway.port("behind-lb"), handshake("/ws", "203.0.113.21")).status())
				.as("another client behind the same balancer").isEqualTo(101);
		}
	}

	@Test
	void ipHashHashesTheForwardedClientNotWhatItClaimsFurtherLeft() throws Exception {
		for (int i = 1; i <= 12; i++) {
			// A client behind the balancer, at a private address, sends a different forged entry each time.
			// (The previous session of this client may still be ending: its limit is one session.)
			String head = handshake("/hashed", "198.51.100." + i + ", 10.9.9.9");
			await().atMost(Duration.ofSeconds(5)).until(() -> RawHttp.send(gateway.port("behind-lb"), head).status() == 101);
		}
		// A backend records its session once its handler runs, which may be just after the client's 101.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(hashedA.sessions.size() + hashedB.sessions.size()).isEqualTo(12));
		assertThat(Math.min(hashedA.sessions.size(), hashedB.sessions.size())).as("all on one server").isZero();
	}

	@Test
	void ipFilterJudgesTheForwardedClientAndAnswers403() throws Exception {
		assertThat(RawHttp.send(gateway.port("behind-lb"), handshake("/private", "203.0.113.40")).status()).isEqualTo(101);
		RawHttp.Response refused = RawHttp.send(gateway.port("behind-lb"), handshake("/private", "198.51.100.40"));
		assertThat(refused.status()).isEqualTo(403);
		assertThat(refused.body()).isEqualTo("the client address is not allowed here\n");
		assertThat(RawHttp.send(gateway.port("behind-lb"), handshake("/ws", "198.51.100.40")).status())
			.as("other paths have no filter").isEqualTo(101);
	}

	@Test
	void aServersIpFilterRefusesClientsItDoesNotAllowWhateverTheyForward() throws Exception {
		assertThat(RawHttp.send(gateway.port("office-only"), handshake("/ws", "192.0.2.10")).status())
			.as("127.0.0.1 is no trusted proxy here: its forwarded address is not believed").isEqualTo(403);
		upgradeDirectly(handshake("/ws", "192.0.2.10"));
	}

	/**
	 * Upgrades on the http server without trusted proxies, where every test is the one client
	 * 127.0.0.1: another test's session of it may still be ending (its limit is one session).
	 */
	private void upgradeDirectly(String head) {
		await().atMost(Duration.ofSeconds(5)).until(() -> RawHttp.send(gateway.port("direct"), head).status() == 101);
	}

	private static String handshake(String path, String forwardedFor) {
		return "GET " + path + " HTTP/1.1\r\nHost: gw\r\nX-Forwarded-For: " + forwardedFor + "\r\n" + RawHttp.UPGRADE_HEADERS;
	}
}
