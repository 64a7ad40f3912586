package io.wsgate.it;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.proxy.session.SessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Timeouts, keepalive, limits and protocol checks: the gateway never keeps a dead or abusive session. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReliabilityIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = Gateway.start("""
				wsgate:
				  limits: {maxSessionsPerClientIp: 3, retryAfter: 7s}
				  http-servers:
				    - name: edge
				      port: 0
				      handshakeTimeout: 500ms
				      maxHeaderSize: 4KB
				      rules:
				        - paths:
				            - {path: /idle, backend: idle}
				            - {path: /keepalive, backend: keepalive}
				            - {path: /small-pool, backend: small-pool}
				            - {path: /ws, backend: plain}
				  pipelines:
				    - name: idle
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}], idleTimeout: 400ms, pingInterval: 0s}]}
				    - name: keepalive
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}], pingInterval: 200ms, pingTimeout: 300ms}]}
				    - name: small-pool
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}], maxSessions: 1}]}
				    - name: plain
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
				""", Map.of("backend", backend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	/** The per-address limit counts every open session, so each test starts once the last one's are gone. */
	@BeforeEach
	void startWithNoSessions() {
		backend.sessions.clear();
		SessionRegistry sessions = gateway.bean(SessionRegistry.class);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> sessions.active() == 0);
	}

	@Test
	void idleSessionIsClosedWith1001OnBothSides() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/idle"));
		TestBackend.Session session = backend.nextSession();
		client.sendText("one message, then silence");
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(3));
		assertThat(atClient.code()).isEqualTo(1001);
		assertThat(atClient.reasonText()).isEqualTo("idle timeout");
		assertThat(session.closeStatus.get(3, TimeUnit.SECONDS).code()).isEqualTo(1001);
	}

	@Test
	void keepalivePingsKeepAQuietHealthySessionOpenAndTheirPongsStayInTheGateway() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/keepalive"))) {
			TestBackend.Session session = backend.nextSession();
			await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3))
				.until(() -> client.closeStatus.getNow(null) == null);
			assertThat(client.drain()).anySatisfy(frame -> assertThat(frame.type()).isEqualTo("ping"));
			assertThat(session.frames).as("pongs answering the gateway are not forwarded")
				.noneSatisfy(frame -> assertThat(frame.type()).isEqualTo("pong"));
			client.sendText("still alive");
			assertThat(client.nextText()).isEqualTo("still alive");
		}
	}

	@Test
	void backendThatStopsAnsweringIsDroppedAndTheClientGets1014() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/keepalive"));
		backend.nextSession().freeze();
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(3));
		assertThat(atClient.code()).as(atClient.reasonText()).isEqualTo(1014);
		assertThat(atClient.reasonText()).isEqualTo("backend not responding");
	}

	@Test
	void clientThatStopsAnsweringIsDroppedAndTheBackendGets1001() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/keepalive"));
		TestBackend.Session session = backend.nextSession();
		client.answerPings = false;
		WebSocketCloseStatus atBackend = session.closeStatus.get(3, TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(1001);
		assertThat(atBackend.reasonText()).isEqualTo("client not responding");
		client.close();
	}

	@Test
	void poolLimitAnswers503WithRetryAfterAndFreesItsPlaceWhenTheSessionEnds() throws Exception {
		TestClient first = TestClient.connect(gateway.wsUrl("edge", "/small-pool"));
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/small-pool")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> {
				assertThat(failed.status).isEqualTo(503);
				assertThat(failed.headers.get("Retry-After")).isEqualTo("7");
			});
		first.close(1000, "done");
		first.disconnected.get(3, TimeUnit.SECONDS);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			try (TestClient again = TestClient.connect(gateway.wsUrl("edge", "/small-pool"))) {
				again.sendText("room for me");
				assertThat(again.nextText()).isEqualTo("room for me");
			}
		});
	}

	@Test
	void perClientAddressLimitAnswers429() throws Exception {
		List<TestClient> open = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				open.add(TestClient.connect(gateway.wsUrl("edge", "/ws")));
			}
			assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/ws")))
				.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> assertThat(failed.status).isEqualTo(429));
		}
		finally {
			open.forEach(TestClient::close);
		}
	}

	@Test
	void invalidUtf8TextIsClosedWith1007AndTheBackendGets1001() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		TestBackend.Session session = backend.nextSession();
		client.send(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { 'o', 'k', (byte) 0xC3, (byte) 0x28 })));
		assertThat(client.awaitClose(Duration.ofSeconds(3)).code()).isEqualTo(1007);
		WebSocketCloseStatus atBackend = session.closeStatus.get(3, TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(1001);
		assertThat(atBackend.reasonText()).isEqualTo("client sent invalid UTF-8");
		assertThat(session.frames).isEmpty();
	}

	@Test
	void unmaskedClientFrameIsAProtocolError1002() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", gateway.port("edge"))) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET /ws HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			InputStream in = socket.getInputStream();
			String head = readHead(in);
			assertThat(head).startsWith("HTTP/1.1 101");
			out.write(new byte[] { (byte) 0x81, 0x02, 'h', 'i' });
			int opcode = in.read() & 0x0F;
			int length = in.read() & 0x7F;
			byte[] payload = in.readNBytes(length);
			assertThat(opcode).as("a close frame").isEqualTo(8);
			assertThat(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)).isEqualTo(1002);
		}
	}

	@Test
	void handshakeTrickledByteByByteGets408() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", gateway.port("edge"))) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
				try {
					return readHead(socket.getInputStream());
				}
				catch (Exception ex) {
					return "failed: " + ex;
				}
			});
			long start = System.nanoTime();
			for (byte b : "GET /ws HTTP/1.1\r\nHost: gw\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1)) {
				if (answer.isDone()) {
					break;
				}
				out.write(b);
				out.flush();
				Thread.sleep(50);
			}
			assertThat(answer.get(5, TimeUnit.SECONDS)).startsWith("HTTP/1.1 408");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
		}
	}

	@Test
	void oversizedHandshakeHeadGets431() throws Exception {
		RawHttp.Response response = RawHttp.send(gateway.port("edge"),
				"GET /ws HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + "X-Big: " + "x".repeat(6000) + "\r\n");
		assertThat(response.status()).isEqualTo(431);
	}

	private static String readHead(InputStream in) throws java.io.IOException {
		StringBuilder head = new StringBuilder();
		int b;
		while ((b = in.read()) != -1) {
			head.append((char) b);
			if (head.toString().endsWith("\r\n\r\n")) {
				break;
			}
		}
		return head.toString();
	}
}
