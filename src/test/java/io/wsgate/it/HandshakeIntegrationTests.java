package io.wsgate.it;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing and handshake answers: every refused request gets a status and a short body, never a hang. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandshakeIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	private int port;

	@BeforeAll
	void start() {
		gateway = Gateway.start("""
				wsgate:
				  http-servers:
				    - name: edge
				      port: 0
				      rules:
				        - host: "*.chat.example.com"
				          paths:
				            - pathPrefix: /
				              backend: chat
				        - paths:
				            - path: /ws
				              methods: [GET]
				              backend: open
				            - pathRegexp: ^/room/[0-9]+$
				              backend: open
				            - path: /tenant
				              headers: [{key: X-Tenant, values: [acme, globex]}]
				              backend: open
				            - pathPrefix: /strict
				              backend: strict-origin
				  pipelines:
				    - name: open
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${backend}"}]
				    - name: chat
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${backend}"}]
				              insecureSkipVerify: true
				    - name: strict-origin
				      filters:
				        - kind: WebSocketProxy
				          name: proxy
				          pools:
				            - servers: [{url: "ws://127.0.0.1:${backend}"}]
				              originPatterns: ["*.trusted.example"]
				""", Map.of("backend", backend.port()));
		port = gateway.port("edge");
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	private RawHttp.Response upgrade(String path, String extraHeaders) throws Exception {
		return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: gw.local\r\n" + RawHttp.UPGRADE_HEADERS + extraHeaders);
	}

	@Test
	void validHandshakeOnARouteIsUpgraded() throws Exception {
		assertThat(upgrade("/ws", "").status()).isEqualTo(101);
		assertThat(upgrade("/room/42", "").status()).isEqualTo(101);
	}

	@Test
	void unknownPathAnswers404() throws Exception {
		RawHttp.Response response = upgrade("/nowhere", "");
		assertThat(response.status()).isEqualTo(404);
		assertThat(response.body()).isEqualTo("no route\n");
		assertThat(upgrade("/room/abc", "").status()).isEqualTo(404);
	}

	@Test
	void methodNotAllowedByTheRouteAnswers405() throws Exception {
		RawHttp.Response response = RawHttp.send(port, "POST /ws HTTP/1.1\r\nHost: gw.local\r\nContent-Length: 0\r\n");
		assertThat(response.status()).isEqualTo(405);
	}

	@Test
	void routeHeaderMismatchAnswers400AndMatchRoutes() throws Exception {
		assertThat(upgrade("/tenant", "X-Tenant: initech\r\n").status()).isEqualTo(400);
		assertThat(upgrade("/tenant", "").status()).isEqualTo(400);
		assertThat(upgrade("/tenant", "X-Tenant: acme\r\n").status()).isEqualTo(101);
	}

	@Test
	void hostWildcardRuleRoutesItsHostsOnly() throws Exception {
		String head = "GET /anything HTTP/1.1\r\nHost: eu.chat.example.com:8080\r\n" + RawHttp.UPGRADE_HEADERS;
		assertThat(RawHttp.send(port, head).status()).isEqualTo(101);
		assertThat(upgrade("/anything", "").status()).isEqualTo(404);
	}

	@Test
	void plainHttpRequestOnAWebSocketRouteAnswers426() throws Exception {
		RawHttp.Response response = RawHttp.send(port, "GET /ws HTTP/1.1\r\nHost: gw.local\r\n");
		assertThat(response.status()).isEqualTo(426);
		assertThat(response.headers().get("upgrade")).isEqualTo("websocket");
		assertThat(response.body()).contains("WebSocket");
	}

	@Test
	void badHandshakesAnswerTheRightStatusAndNeverReachTheBackend() throws Exception {
		int handshakesBefore = backend.handshakes.size();
		String noKey = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
		assertThat(RawHttp.send(port, "GET /ws HTTP/1.1\r\nHost: gw\r\n" + noKey).status()).isEqualTo(400);
		String badKey = noKey + "Sec-WebSocket-Key: short\r\n";
		assertThat(RawHttp.send(port, "GET /ws HTTP/1.1\r\nHost: gw\r\n" + badKey).status()).isEqualTo(400);
		String oldVersion = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
				+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
		RawHttp.Response version = RawHttp.send(port, "GET /ws HTTP/1.1\r\nHost: gw\r\n" + oldVersion);
		assertThat(version.status()).isEqualTo(426);
		assertThat(version.headers().get("sec-websocket-version")).isEqualTo("13");
		RawHttp.Response post = RawHttp.send(port, "POST /room/1 HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(post.status()).isEqualTo(405);
		assertThat(backend.handshakes.size()).isEqualTo(handshakesBefore);
	}

	@Test
	void crossSiteOriginIsRefusedWith403() throws Exception {
		RawHttp.Response response = upgrade("/ws", "Origin: https://evil.example\r\n");
		assertThat(response.status()).isEqualTo(403);
		assertThat(response.body()).contains("evil.example");
	}

	@Test
	void sameHostOriginAndPatternOriginsAreAccepted() throws Exception {
		assertThat(upgrade("/ws", "Origin: http://gw.local\r\n").status()).isEqualTo(101);
		assertThat(upgrade("/strict", "Origin: https://app.trusted.example\r\n").status()).isEqualTo(101);
		assertThat(upgrade("/strict", "Origin: https://trusted.example.evil\r\n").status()).isEqualTo(403);
	}

	@Test
	void insecureSkipVerifyAcceptsAnyOrigin() throws Exception {
		String head = "GET /x HTTP/1.1\r\nHost: eu.chat.example.com\r\nOrigin: https://elsewhere.example\r\n"
				+ RawHttp.UPGRADE_HEADERS;
		assertThat(RawHttp.send(port, head).status()).isEqualTo(101);
	}

	@Test
	void gatewayKeepsServingAfterBadRequests() throws Exception {
		for (int i = 0; i < 20; i++) {
			RawHttp.send(port, "GET /ws HTTP/1.1\r\nHost: gw\r\n");
		}
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"))) {
			client.sendText("still here");
			assertThat(client.nextText()).isEqualTo("still here");
		}
	}
}
