package io.wsgate.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code proxyProtocol: true}: behind an L4 load balancer (AWS NLB, HAProxy in TCP mode) the client
 * address comes from the PROXY header (v1 text or v2 binary), and a connection without one is dropped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ProxyProtocolIntegrationTests {

	private static final String HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = Gateway.start("""
				wsgate:
				  http-servers:
				    - name: behind-nlb
				      port: 0
				      proxyProtocol: true
				      rules: [{paths: [{path: /ws, backend: echo}]}]
				    - name: direct
				      port: 0
				      rules: [{paths: [{path: /ws, backend: echo}]}]
				  limits:
				    maxSessionsPerClientIp: 1
				  pipelines:
				    - name: echo
				      filters:
				        - {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
				""", Map.of("backend", backend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@Test
	void aVersionOneHeaderGivesTheClientAddress(CapturedOutput output) throws Exception {
		byte[] header = "PROXY TCP4 203.0.113.7 10.0.0.5 51000 443\r\n".getBytes(StandardCharsets.US_ASCII);

		assertThat(RawHttp.send(gateway.port("behind-nlb"), header, HANDSHAKE).status()).isEqualTo(101);

		assertThat(backend.lastHandshake().headers().get("X-Forwarded-For")).isEqualTo("203.0.113.7");
		// The access log line is written when the session ends.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output).contains("client=203.0.113.7 "));
	}

	@Test
	void aVersionTwoHeaderGivesTheClientAddress() throws Exception {
		assertThat(RawHttp.send(gateway.port("behind-nlb"), v2(new byte[] { (byte) 198, 51, 100, 23 }), HANDSHAKE).status())
			.isEqualTo(101);

		assertThat(backend.lastHandshake().headers().get("X-Forwarded-For")).isEqualTo("198.51.100.23");
	}

	@Test
	void limitsCountTheForwardedAddressNotTheBalancers() throws Exception {
		// Held open: the per-address limit is one session.
		try (var first = new java.net.Socket("127.0.0.1", gateway.port("behind-nlb"))) {
			first.getOutputStream().write(("PROXY TCP4 192.0.2.1 10.0.0.5 51001 443\r\n" + HANDSHAKE + "\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			assertThat(new String(first.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
			byte[] sameClient = "PROXY TCP4 192.0.2.1 10.0.0.5 51002 443\r\n".getBytes(StandardCharsets.US_ASCII);
			byte[] otherClient = "PROXY TCP4 192.0.2.2 10.0.0.5 51003 443\r\n".getBytes(StandardCharsets.US_ASCII);
			assertThat(RawHttp.send(gateway.port("behind-nlb"), sameClient, HANDSHAKE).status()).isEqualTo(429);
			assertThat(RawHttp.send(gateway.port("behind-nlb"), otherClient, HANDSHAKE).status()).isEqualTo(101);
		}
	}

	@Test
	void aConnectionWithoutTheHeaderIsDropped() {
		assertThatThrownBy(() -> RawHttp.send(gateway.port("behind-nlb"), HANDSHAKE)).isInstanceOf(IOException.class);
	}

	@Test
	void aListenerWithoutTheOptionTakesNoHeader() throws Exception {
		assertThat(RawHttp.send(gateway.port("direct"), HANDSHAKE).status()).isEqualTo(101);
		assertThat(backend.lastHandshake().headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
		byte[] header = "PROXY TCP4 203.0.113.9 10.0.0.5 51000 443\r\n".getBytes(StandardCharsets.US_ASCII);
		assertThat(RawHttp.send(gateway.port("direct"), header, HANDSHAKE).status()).as("not a request line").isEqualTo(400);
	}

	/** A PROXY v2 header: PROXY command, TCP over IPv4, from {@code source}:51000 to 10.0.0.5:443. */
	private static byte[] v2(byte[] source) {
		ByteBuffer header = ByteBuffer.allocate(16 + 12);
		header.put(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A });
		header.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
		header.put(source).put(new byte[] { 10, 0, 0, 5 }).putShort((short) 51000).putShort((short) 443);
		return header.array();
	}
}
