package io.wsgate.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.it.TestBackend.Frame;
import io.wsgate.it.TestBackend.Handshake;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** The bridge as a user sees it: messages, headers, subprotocols, cookies and close codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private final TestBackend keepHostBackend = new TestBackend();

	private final TestBackend cookieBackend = new TestBackend().selectFirstSubprotocol()
		.respondWithHeaders(Map.of("Set-Cookie", "session=abc123; Path=/", "X-Backend-Only", "yes"));

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.pipeline("path: /ws", "default-limits", """
					- kind: WebSocketProxy
					  name: proxy
					  defaultOrigin: http://127.0.0.1/hello
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${backend.main}"}]
					""")
			.pipeline("pathPrefix: /unlimited", "unlimited", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://127.0.0.1:${backend.main}"}]
					      clientMaxMsgSize: -1
					      serverMaxMsgSize: -1
					""")
			.pipeline("pathPrefix: /keephost", "keephost", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://localhost:${backend.keephost}", keepHost: true}]
					""")
			.pipeline("pathPrefix: /cookies", "cookies", """
					- kind: WebSocketProxy
					  name: proxy
					  pools:
					    - servers: [{url: "ws://localhost:${backend.cookies}"}]
					""")
			.start(Map.of("backend.main", backend.port(), "backend.keephost", keepHostBackend.port(),
					"backend.cookies", cookieBackend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
		keepHostBackend.close();
		cookieBackend.close();
	}

	@Test
	void textAndBinaryMessagesAreEchoedThroughTheProxy() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			client.sendText("hello");
			assertThat(client.nextFrame()).isEqualTo(frame("text", "hello"));
			client.sendBinary(new byte[] { 0, 1, 2, (byte) 255 });
			Frame echoed = client.nextFrame();
			assertThat(echoed.type()).isEqualTo("binary");
			assertThat(echoed.data()).containsExactly(0, 1, 2, 255);
		}
	}

	@Test
	void oneMebibyteMessagePassesWhenLimitsAreUnlimited() throws Exception {
		byte[] big = new byte[1 << 20];
		Arrays.fill(big, (byte) 'x');
		big[big.length - 1] = 'y';
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/unlimited"))) {
			client.sendBinary(big);
			Frame echoed = client.nextFrame();
			assertThat(echoed.data()).hasSize(1 << 20);
			assertThat(echoed.data()[big.length - 1]).isEqualTo((byte) 'y');
		}
	}

	@Test
	void fragmentedMessageKeepsItsFragmentsBothWays() throws Exception {
		backend.sessions.clear();
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			// Waits for the backend to have registered this session (the last one listed could be older).
			TestBackend.Session session = backend.nextSession();
			client.send(new TextWebSocketFrame(false, 0, "frag-1 "),
					new ContinuationWebSocketFrame(false, 0, Unpooled.copiedBuffer("frag-2 ", StandardCharsets.UTF_8)),
					new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("frag-3", StandardCharsets.UTF_8)));
			assertThat(client.nextFrame()).isEqualTo(new Frame("text", bytes("frag-1 "), false));
			assertThat(client.nextFrame()).isEqualTo(new Frame("continuation", bytes("frag-2 "), false));
			assertThat(client.nextFrame()).isEqualTo(new Frame("continuation", bytes("frag-3"), true));
			assertThat(session.frames).hasSize(3);
		}
	}

	@Test
	void pingsAndPongsTravelEndToEnd() throws Exception {
		backend.sessions.clear();
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			TestBackend.Session session = backend.nextSession();
			client.send(TestBackend.ping("client-ping"));
			assertThat(session.nextFrame()).isEqualTo(frame("ping", "client-ping"));
			assertThat(client.nextFrame()).isEqualTo(frame("pong", "client-ping"));

			session.send(TestBackend.ping("backend-ping"));
			assertThat(client.nextFrame()).isEqualTo(frame("ping", "backend-ping"));
		}
	}

	@Test
	void backendSeesClientHeadersAndForwardedHeadersButNoHopByHopHeaders() throws Exception {
		// A raw request, so that Connection can name an extra hop-by-hop header.
		RawHttp.Response response = RawHttp.send(gateway.port("edge"), "GET /ws?room=7 HTTP/1.1\r\n"
				+ "Host: 127.0.0.1:" + gateway.port("edge") + "\r\n"
				+ "Upgrade: websocket\r\nConnection: Upgrade, X-Hop\r\nX-Hop: dropped\r\n"
				+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
				+ "X-Custom: kept\r\nAuthorization: Bearer t0k3n\r\nX-Forwarded-For: 203.0.113.9\r\n"
				+ "Keep-Alive: timeout=5\r\nTE: trailers\r\nCookie: a=1\r\n");
		assertThat(response.status()).isEqualTo(101);
		{
			Handshake handshake = backend.lastHandshake();
			assertThat(handshake.uri()).isEqualTo("/ws?room=7");
			assertThat(handshake.headers().get("X-Custom")).isEqualTo("kept");
			assertThat(handshake.headers().get("Authorization")).isEqualTo("Bearer t0k3n");
			assertThat(handshake.headers().get("Cookie")).isEqualTo("a=1");
			assertThat(handshake.headers().get("X-Forwarded-For")).isEqualTo("203.0.113.9, 127.0.0.1");
			assertThat(handshake.headers().get("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + gateway.port("edge"));
			assertThat(handshake.headers().get("X-Forwarded-Proto")).isEqualTo("http");
			assertThat(handshake.headers().get("Host")).isEqualTo("127.0.0.1:" + backend.port());
			assertThat(handshake.headers().contains("X-Hop")).isFalse();
			assertThat(handshake.headers().contains("Keep-Alive")).isFalse();
			assertThat(handshake.headers().contains("TE")).isFalse();
			assertThat(handshake.headers().get("Origin")).isEqualTo("http://127.0.0.1/hello");
			assertThat(handshake.headers().names().stream().map(name -> name.toLowerCase(Locale.ROOT)))
				.as("the client's headers, the handshake's own and X-Forwarded-*: nothing the gateway makes up")
				.containsExactlyInAnyOrder("host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
						"x-custom", "authorization", "cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
						"origin");
		}
	}

	@Test
	void clientOriginIsKeptOverDefaultOrigin() throws Exception {
		String host = "127.0.0.1:" + gateway.port("edge");
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"), Map.of("Origin", "http://" + host),
				null)) {
			client.sendText("x");
			client.nextFrame();
			assertThat(backend.lastHandshake().headers().get("Origin")).isEqualTo("http://" + host);
		}
	}

	@Test
	void keepHostSendsTheClientsHostToTheBackend() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/keephost"),
				Map.of("Host", "chat.example.com"), null)) {
			client.sendText("x");
			assertThat(client.nextText()).isEqualTo("x");
			assertThat(keepHostBackend.lastHandshake().headers().get("Host")).isEqualTo("chat.example.com");
		}
	}

	@Test
	void hostIsTheBackendsHostWithoutKeepHost() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/cookies"),
				Map.of("Host", "chat.example.com"), null)) {
			assertThat(cookieBackend.lastHandshake().headers().get("Host")).isEqualTo("localhost:" + cookieBackend.port());
		}
	}

	@Test
	void subprotocolOfferReachesBackendAndItsChoiceComesBack() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/cookies"), Map.of(), "chat.v2, chat.v1")) {
			assertThat(cookieBackend.lastHandshake().headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v2, chat.v1");
			assertThat(client.subprotocol()).isEqualTo("chat.v2");
		}
	}

	@Test
	void noSubprotocolIsSelectedWhenTheBackendSelectsNone() throws Exception {
		// A raw handshake: client libraries differ in whether they accept this answer, the gateway
		// must simply pass it on.
		RawHttp.Response response = RawHttp.send(gateway.port("edge"), "GET /ws HTTP/1.1\r\nHost: gw\r\n"
				+ RawHttp.UPGRADE_HEADERS + "Sec-WebSocket-Protocol: chat.v2\r\n");
		assertThat(response.status()).isEqualTo(101);
		assertThat(backend.lastHandshake().headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat.v2");
		assertThat(response.headers()).doesNotContainKey("sec-websocket-protocol");
	}

	@Test
	void backendSetCookieReachesTheClientButNotItsOtherHeaders() throws Exception {
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/cookies"))) {
			assertThat(client.responseHeaders().getAll("Set-Cookie")).containsExactly("session=abc123; Path=/");
			assertThat(client.responseHeaders().contains("X-Backend-Only")).isFalse();
		}
	}

	@Test
	void clientCloseCodeAndReasonReachTheBackend() throws Exception {
		backend.sessions.clear();
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		TestBackend.Session session = backend.nextSession();
		client.close(4001, "bye");
		WebSocketCloseStatus atBackend = session.closeStatus.get(5, java.util.concurrent.TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(4001);
		assertThat(atBackend.reasonText()).isEqualTo("bye");
	}

	@Test
	void backendCloseCodeAndReasonReachTheClient() throws Exception {
		backend.sessions.clear();
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		backend.nextSession().close(4002, "server says bye");
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(5));
		assertThat(atClient.code()).isEqualTo(4002);
		assertThat(atClient.reasonText()).isEqualTo("server says bye");
	}

	@Test
	void lostBackendConnectionClosesTheClientWith1014WithinASecond() throws Exception {
		backend.sessions.clear();
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		backend.nextSession().drop();
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(1));
		assertThat(atClient.code()).isEqualTo(1014);
	}

	@Test
	void lostClientConnectionClosesTheBackendWith1001() throws Exception {
		backend.sessions.clear();
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		TestBackend.Session session = backend.nextSession();
		client.drop();
		WebSocketCloseStatus atBackend = session.closeStatus.get(5, java.util.concurrent.TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(1001);
		session.disconnected.get(5, java.util.concurrent.TimeUnit.SECONDS);
	}

	private static Frame frame(String type, String text) {
		return new Frame(type, bytes(text), true);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
