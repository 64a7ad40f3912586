package io.wsgate.it;

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
 * RequestAdaptor + WebSocketProxy over real sockets: the backend gets the rewritten path, Host and
 * headers, the query as the client sent it, and the access log keeps the client's own path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RequestAdaptorIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.server("gw")
			.pipeline("pathPrefix: /chat", "rewrite", """
					- kind: RequestAdaptor
					  name: adaptor
					  host: chat.internal:9000
					  path: {trimPrefix: /chat}
					  header:
					    del: [Cookie]
					    set: {X-Env: prod, Authorization: "Bearer backend-s3cr3t"}
					    add: {X-Via: wsgate}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.pipeline("pathPrefix: /replace", "replace", """
					- {kind: RequestAdaptor, name: adaptor, path: {replace: /socket}}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.pipeline("pathPrefix: /prefix", "prefix", """
					- {kind: RequestAdaptor, name: adaptor, path: {addPrefix: /v2}}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.pipeline("pathPrefix: /users", "regexp", """
					- kind: RequestAdaptor
					  name: adaptor
					  path: {regexpReplace: {regexp: "^/users/(\\\\d+)/(?<room>[a-z]+)$", replace: "/rooms/${room}/members/$1"}}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.pipeline("pathPrefix: /two", "two", "[{filter: trim}, {filter: add}, {filter: wsproxy}]", """
					- {kind: RequestAdaptor, name: add, path: {addPrefix: /v3}}
					- {kind: RequestAdaptor, name: trim, path: {trimPrefix: /two}}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.pipeline("pathPrefix: /order", "order", """
					- kind: RequestAdaptor
					  name: adaptor
					  path: {trimPrefix: /order, addPrefix: /added}
					  header: {del: [X-A], set: {X-A: set, X-B: set}, add: {X-A: added, X-B: added}}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.pipeline("pathPrefix: /plain", "plain", """
					- {kind: RequestAdaptor, name: adaptor}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${port}"}]}]}
					""")
			.start(Map.of("port", backend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
	}

	@Test
	void theBackendSeesTheRewrittenHandshakeAndTheAccessLogTheClientsPath(CapturedOutput output) throws Exception {
		TestBackend.Handshake seen = upgrade("/chat/lobby?user=ann&x=%2F", "Cookie: session=cookie-s3cr3t\r\n"
				+ "X-Env: dev\r\nX-Via: client\r\nAuthorization: Bearer client-token\r\n");

		assertThat(seen.uri()).isEqualTo("/lobby?user=ann&x=%2F");
		HttpHeaders headers = seen.headers();
		assertThat(headers.getAll("Host")).containsExactly("chat.internal:9000");
		assertThat(headers.contains("Cookie")).isFalse();
		assertThat(headers.getAll("X-Env")).containsExactly("prod");
		assertThat(headers.getAll("Authorization")).containsExactly("Bearer backend-s3cr3t");
		assertThat(headers.getAll("X-Via")).containsExactly("client", "wsgate");
		assertThat(headers.getAll("X-Forwarded-Host")).as("the client's Host, as before").containsExactly("gw");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(
				() -> assertThat(output).contains("host=gw path=/chat/lobby httpServer=gw pipeline=rewrite"));
		assertThat(output).doesNotContain("backend-s3cr3t").doesNotContain("cookie-s3cr3t");
	}

	@Test
	void replaceSendsItsPathWithTheClientsQuery() throws Exception {
		assertThat(upgrade("/replace/anything?q=1", "").uri()).isEqualTo("/socket?q=1");
	}

	@Test
	void addPrefixPutsItBeforeTheClientsPath() throws Exception {
		assertThat(upgrade("/prefix/room", "").uri()).isEqualTo("/v2/prefix/room");
	}

	@Test
	void regexpReplaceRewritesWithGroupReferences() throws Exception {
		assertThat(upgrade("/users/42/lobby?t=x", "").uri()).isEqualTo("/rooms/lobby/members/42?t=x");
		assertThat(upgrade("/users/not-a-number", "").uri()).as("no match: unchanged").isEqualTo("/users/not-a-number");
	}

	@Test
	void twoAdaptorsInAFlowComposeInFlowOrder() throws Exception {
		assertThat(upgrade("/two/room?k=v", "").uri()).isEqualTo("/v3/room?k=v");
	}

	@Test
	void thePrefixIsTrimmedThenTheOtherAddedAndHeadersAreDeletedThenSetThenAdded() throws Exception {
		TestBackend.Handshake seen = upgrade("/order/room", "X-A: client\r\nX-B: client\r\n");

		assertThat(seen.uri()).isEqualTo("/added/room");
		assertThat(seen.headers().getAll("X-A")).containsExactly("set", "added");
		assertThat(seen.headers().getAll("X-B")).containsExactly("set", "added");
	}

	@Test
	void anAdaptorWithoutOptionsChangesNothing() throws Exception {
		TestBackend.Handshake seen = upgrade("/plain/x?y=z", "X-Custom: kept\r\n");

		assertThat(seen.uri()).isEqualTo("/plain/x?y=z");
		assertThat(seen.headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
		assertThat(seen.headers().getAll("X-Custom")).containsExactly("kept");
	}

	/** Upgrades through the gateway and returns the handshake the backend got for it. */
	private TestBackend.Handshake upgrade(String pathAndQuery, String extraHeaders) throws Exception {
		int before = backend.handshakes.size();
		RawHttp.Response response = RawHttp.send(gateway.port("gw"),
				"GET " + pathAndQuery + " HTTP/1.1\r\nHost: gw\r\n" + extraHeaders + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isEqualTo(101);
		assertThat(backend.handshakes).hasSize(before + 1);
		return backend.lastHandshake();
	}
}
