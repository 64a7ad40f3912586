package io.wsgate.it;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import wsgate.testkinds.FirstMessageTokenKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Handshakes traced and exported over OTLP/HTTP to a collector of the test's own (a real HTTP server
 * decoding the protobuf requests): the handshake span continues the client's trace, the dial span
 * is its child, and the backend receives the dial span's context as {@code traceparent}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingIntegrationTests {

	private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

	private static final String CLIENT_SPAN_ID = "00f067aa0ba902b7";

	private final TestBackend backend = new TestBackend();

	private final BlockingQueue<Span> spans = new LinkedBlockingQueue<>();

	private DisposableServer collector;

	private Gateway gateway;

	@BeforeAll
	void start() {
		collector = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route(routes -> routes.post("/v1/traces", (request, response) -> request.receive().aggregate().asByteArray()
				.flatMap(body -> {
					try {
						ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().forEach(resource -> resource
							.getScopeSpansList().forEach(scope -> spans.addAll(scope.getSpansList())));
					}
					catch (Exception ex) {
						return Mono.error(ex);
					}
					return response.status(200).header("Content-Type", "application/x-protobuf").send().then();
				})))
			.bindNow();
		gateway = GatewayYaml.edge()
			.pipeline("path: /token", "token", """
					- {kind: FirstMessageToken, name: auth}
					- {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
					""")
			.proxyName("wsproxy")
			.proxy("path: /down", "down", "ws://127.0.0.1:${closed}")
			.proxy("pathPrefix: /chat/", "chat", "ws://127.0.0.1:${backend}")
			.start(Map.of("backend", backend.port(), "closed", Sockets.closedPort(),
					"management.opentelemetry.tracing.export.otlp.endpoint", "http://127.0.0.1:" + collector.port() + "/v1/traces",
					"management.opentelemetry.tracing.export.schedule-delay", "100ms",
					"management.tracing.sampling.probability", "1.0",
					"spring.main.sources", FirstMessageTokenKind.class.getName()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
		collector.disposeNow();
	}

	@Test
	void aHandshakeContinuesTheClientsTraceAndPassesItToTheBackend() throws Exception {
		String traceparent = "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01";
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/chat/room1"), Map.of("traceparent", traceparent), null)) {
			client.sendText("hi");
			assertThat(client.nextText()).isEqualTo("hi");
		}

		Span handshake = awaitSpan("websocket handshake", TRACE_ID);
		Span dial = awaitSpan("websocket dial", TRACE_ID);
		assertThat(hex(handshake.getParentSpanId().toByteArray())).as("a child of the client's span").isEqualTo(CLIENT_SPAN_ID);
		assertThat(dial.getParentSpanId()).as("a child of the handshake").isEqualTo(handshake.getSpanId());
		String server = "ws://127.0.0.1:" + backend.port();
		assertThat(attributes(handshake)).containsEntry("http.server", "edge")
			.containsEntry("route", "/chat/**")
			.containsEntry("pipeline", "chat")
			.containsEntry("pool", "websocketproxy#wsproxy#main")
			.containsEntry("server", server)
			.containsEntry("outcome", "upgraded")
			.containsEntry("status", "101");
		assertThat(attributes(dial)).containsEntry("server", server).containsEntry("outcome", "connected");
		assertThat(backend.lastHandshake().headers().getAll("traceparent"))
			.containsExactly("00-" + TRACE_ID + "-" + hex(dial.getSpanId().toByteArray()) + "-01");
		assertThat(gateway.bean(MeterRegistry.class).find("wsgate.handshake").meters())
			.as("the observation's timing is wsgate.handshake.duration already").isEmpty();
	}

	@Test
	void withAFirstMessageCheckTheDialAfterTheCheckIsStillAChildOfTheHandshake() throws Exception {
		String traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
		try (TestClient client = TestClient.connect(gateway.wsUrl("edge", "/token"),
				Map.of("traceparent", "00-" + traceId + "-" + CLIENT_SPAN_ID + "-01"), null)) {
			client.sendText(FirstMessageTokenKind.TOKEN);
			client.sendText("hi");
			assertThat(client.nextText()).isEqualTo("hi");
		}

		Span handshake = awaitSpan("websocket handshake", traceId);
		Span dial = awaitSpan("websocket dial", traceId);
		assertThat(attributes(handshake)).containsEntry("pipeline", "token")
			.containsEntry("outcome", "upgraded")
			.containsEntry("status", "101");
		assertThat(dial.getParentSpanId()).as("a child of the handshake").isEqualTo(handshake.getSpanId());
		assertThat(attributes(dial)).containsEntry("outcome", "connected");
		assertThat(backend.lastHandshake().headers().getAll("traceparent"))
			.containsExactly("00-" + traceId + "-" + hex(dial.getSpanId().toByteArray()) + "-01");
	}

	@Test
	void aRefusedHandshakeIsTracedWithItsOutcome() throws Exception {
		String traceId = "0af7651916cd43dd8448eb211c80319c";
		RawHttp.Response response = RawHttp.send(gateway.port("edge"),
				"GET /nowhere HTTP/1.1\r\nHost: gw\r\ntraceparent: 00-" + traceId + "-b7ad6b7169203331-01\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isEqualTo(404);

		assertThat(attributes(awaitSpan("websocket handshake", traceId))).containsEntry("outcome", "not_routed")
			.containsEntry("status", "404");
	}

	@Test
	void aFailedDialIsTracedAsTheHandshakesChild() throws Exception {
		String traceId = "5b8efff798038103d269b633813fc60c";
		RawHttp.Response response = RawHttp.send(gateway.port("edge"),
				"GET /down HTTP/1.1\r\nHost: gw\r\ntraceparent: 00-" + traceId + "-eee19b7ec3c1b174-01\r\n" + RawHttp.UPGRADE_HEADERS);
		assertThat(response.status()).isEqualTo(502);

		Span handshake = awaitSpan("websocket handshake", traceId);
		Span dial = awaitSpan("websocket dial", traceId);
		assertThat(dial.getParentSpanId()).isEqualTo(handshake.getSpanId());
		assertThat(attributes(dial)).containsEntry("outcome", "unreachable").containsEntry("pipeline", "down");
		assertThat(dial.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
		assertThat(attributes(handshake)).containsEntry("outcome", "backend_unreachable").containsEntry("status", "502");
	}

	private Span awaitSpan(String name, String traceId) {
		return await().atMost(Duration.ofSeconds(10)).until(() -> spans.stream()
			.filter(span -> span.getName().equals(name) && hex(span.getTraceId().toByteArray()).equals(traceId))
			.findFirst()
			.orElse(null), span -> span != null);
	}

	private static Map<String, String> attributes(Span span) {
		List<KeyValue> attributes = span.getAttributesList();
		return attributes.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (a, b) -> a));
	}

	private static String hex(byte[] bytes) {
		return HexFormat.of().formatHex(bytes);
	}
}
