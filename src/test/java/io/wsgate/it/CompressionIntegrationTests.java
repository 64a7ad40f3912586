package io.wsgate.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.it.TestBackend.Frame;
import io.wsgate.it.WireClient.WireFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * permessage-deflate (RFC 7692) between a client and a backend that both speak it (Reactor Netty's
 * own compression on both sides): the gateway passes the offer and the answer, relays compressed
 * frames as they are, and holds the size limits to the compressed (wire) size.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionIntegrationTests {

	private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

	private final TestBackend compressing = new TestBackend().compress();

	private final TestBackend plain = new TestBackend();

	/** Sends compressed messages as soon as a session opens: they reach the gateway with its 101. */
	private final TestBackend greeter = new TestBackend().compress().greet(
			java.util.stream.IntStream.range(0, 50).mapToObj(i -> "tick " + i + " " + "p".repeat(i * 10)).toList());

	/** Answers whatever extension a test sets, without speaking it. */
	private final TestBackend liar = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /deflate", "deflate", "ws://127.0.0.1:${compressing}")
			.pipeline("path: /declines", "declines", """
					- {kind: WebSocketProxy, name: p, compression: passthrough, pools: [{servers: [{url: "ws://127.0.0.1:${plain}"}]}]}
					""")
			.pipeline("path: /off", "off", """
					- {kind: WebSocketProxy, name: p, compression: off, pools: [{servers: [{url: "ws://127.0.0.1:${compressing}"}]}]}
					""")
			.proxy("path: /liar", "liar", "ws://127.0.0.1:${liar}", "passiveHealthCheck: {enabled: false}")
			.proxy("path: /greeting", "greeting", "ws://127.0.0.1:${greeter}")
			.start(Map.of("compressing", compressing.port(), "plain", plain.port(), "liar", liar.port(), "greeter",
					greeter.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		compressing.close();
		plain.close();
		liar.close();
		greeter.close();
	}

	@BeforeEach
	void forgetSessions() {
		compressing.sessions.clear();
		plain.sessions.clear();
	}

	@Test
	void theOfferGoesToTheBackendAndItsAnswerComesBack() throws Exception {
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/deflate"))) {
			// Reactor Netty's client offers deflate-frame as well: the gateway passes permessage-deflate only.
			String offer = compressing.lastHandshake().headers().get(EXTENSIONS);
			assertThat(offer).startsWith("permessage-deflate").doesNotContain("deflate-frame");
			assertThat(client.responseHeaders().get(EXTENSIONS)).startsWith("permessage-deflate");
			client.sendText("hello");
			assertThat(client.nextText()).isEqualTo("hello");
		}
	}

	@Test
	void compressedTextAndBinaryCrossIntactBothWays() throws Exception {
		byte[] binary = new byte[20_000];
		new Random(1).nextBytes(binary);
		String json = "{\"user\":\"zoë\",\"room\":\"général\",\"text\":\"see you at 8 ☕\"}".repeat(100);
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/deflate"))) {
			TestBackend.Session session = compressing.nextSession();
			// The first message crosses Netty's decoder, the next ones the raw path.
			client.sendText(json);
			assertThat(client.nextFrame().text()).isEqualTo(json);
			client.sendBinary(binary);
			assertThat(client.nextFrame().data()).isEqualTo(binary);
			client.sendText("é".repeat(3000));
			assertThat(client.nextFrame().text()).isEqualTo("é".repeat(3000));
			assertThat(session.frames).extracting(Frame::type).containsExactly("text", "binary", "text");
			assertThat(session.frames.peek().text()).isEqualTo(json);
		}
	}

	@Test
	void aMessageOverTheLimitUncompressedButUnderItCompressedPasses() throws Exception {
		// 100,000 characters against the default clientMaxMsgSize and serverMaxMsgSize of 32769 bytes.
		String big = "market data ".repeat(8_334);
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/deflate"))) {
			client.sendText("first");
			assertThat(client.nextText()).isEqualTo("first");
			client.sendText(big);
			assertThat(client.nextText()).isEqualTo(big);
		}
	}

	@Test
	void aClientMessageOverTheLimitOnTheWireIs1009() throws Exception {
		byte[] incompressible = new byte[40_000];
		new Random(2).nextBytes(incompressible);
		TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/deflate"));
		TestBackend.Session session = compressing.nextSession();
		client.sendText("first");
		assertThat(client.nextText()).isEqualTo("first");
		client.sendBinary(incompressible);
		assertThat(client.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
		WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
		assertThat(atBackend.code()).isEqualTo(1001);
		assertThat(atBackend.reasonText()).isEqualTo("client message too big");
		assertThat(session.frames).hasSize(1);
	}

	@Test
	void aBackendMessageOverTheLimitOnTheWireIs1009() throws Exception {
		byte[] incompressible = new byte[40_000];
		new Random(3).nextBytes(incompressible);
		TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/deflate"));
		TestBackend.Session session = compressing.nextSession();
		session.send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(incompressible)));
		WebSocketCloseStatus atClient = client.awaitClose(Duration.ofSeconds(5));
		assertThat(atClient.code()).isEqualTo(1001);
		assertThat(atClient.reasonText()).isEqualTo("backend message too big");
		assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1009);
	}

	@Test
	void fragmentsAndPingsBetweenCompressedMessagesPass() throws Exception {
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/deflate"))) {
			TestBackend.Session session = compressing.nextSession();
			client.sendText("first");
			assertThat(client.nextText()).isEqualTo("first");
			client.send(new PingWebSocketFrame(Unpooled.copiedBuffer("before", StandardCharsets.UTF_8)),
					new TextWebSocketFrame(false, 0, "part one, "),
					new PingWebSocketFrame(Unpooled.copiedBuffer("between", StandardCharsets.UTF_8)),
					new ContinuationWebSocketFrame(false, 0, Unpooled.copiedBuffer("part two, ", StandardCharsets.UTF_8)),
					new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("part three", StandardCharsets.UTF_8)),
					new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { 1, 2, 3 })));
			List<Frame> echoed = List.of(client.nextFrame(), client.nextFrame(), client.nextFrame(), client.nextFrame(),
					client.nextFrame(), client.nextFrame());
			assertThat(echoed).extracting(Frame::type)
				.containsExactly("pong", "text", "pong", "continuation", "continuation", "binary");
			assertThat(echoed.get(1).text() + echoed.get(3).text() + echoed.get(4).text())
				.isEqualTo("part one, part two, part three");
			assertThat(echoed.get(2).text()).isEqualTo("between");
			assertThat(echoed.get(5).data()).containsExactly(1, 2, 3);
			assertThat(session.frames).extracting(Frame::type)
				.containsExactly("text", "ping", "text", "ping", "continuation", "continuation", "binary");
		}
	}

	/**
	 * Compressed frames that arrive with the backend's 101 (read before the session's handlers are in
	 * place), then through Netty's decoder, then raw: all arrive, in order.
	 */
	@Test
	void aBackendThatSpeaksFirstIsHeardCompressedAndInOrder() throws Exception {
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/greeting"))) {
			assertThat(client.responseHeaders().get(EXTENSIONS)).startsWith("permessage-deflate");
			for (int i = 0; i < 50; i++) {
				assertThat(client.nextText()).isEqualTo("tick " + i + " " + "p".repeat(i * 10));
			}
			client.sendText("and now me");
			assertThat(client.nextText()).isEqualTo("and now me");
		}
	}

	@Test
	void aBackendThatDeclinesGetsUncompressedTraffic() throws Exception {
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/declines"))) {
			assertThat(plain.lastHandshake().headers().get(EXTENSIONS)).startsWith("permessage-deflate");
			assertThat(client.responseHeaders().get(EXTENSIONS)).isNull();
			String big = "x".repeat(30_000);
			client.sendText(big);
			assertThat(client.nextText()).isEqualTo(big);
			assertThat(plain.nextSession().frames.peek().text()).isEqualTo(big);
		}
	}

	@Test
	void compressionOffNegotiatesNothing() throws Exception {
		try (TestClient client = TestClient.connectCompressed(gateway.wsUrl("edge", "/off"))) {
			assertThat(compressing.lastHandshake().headers().get(EXTENSIONS)).isNull();
			assertThat(client.responseHeaders().get(EXTENSIONS)).isNull();
			client.sendText("plain");
			assertThat(client.nextText()).isEqualTo("plain");
			// Uncompressed, so the limit counts every byte.
			client.sendText("y".repeat(32_770));
			assertThat(client.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(1009);
		}
	}

	@Test
	void aBackendThatAcceptsAnExtensionNobodyOfferedIsBroken() {
		liar.respondWithHeaders(Map.of(EXTENSIONS, "permessage-deflate"));
		assertThatThrownBy(() -> TestClient.connect(gateway.wsUrl("edge", "/liar")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> assertThat(failed.status).isEqualTo(502));
		liar.respondWithHeaders(Map.of(EXTENSIONS, "x-webkit-deflate-frame"));
		assertThatThrownBy(() -> TestClient.connectCompressed(gateway.wsUrl("edge", "/liar")))
			.isInstanceOfSatisfying(TestClient.HandshakeFailed.class, failed -> assertThat(failed.status).isEqualTo(502));
		assertThat(liar.lastHandshake().headers().get(EXTENSIONS)).doesNotContain("x-webkit-deflate-frame");
	}

	/**
	 * The bytes as they travel: the client's compressed frame reaches the backend, which inflates it;
	 * the backend's answer reaches the client still compressed (RSV1 set), so the gateway inflated
	 * nothing on the way.
	 */
	@Test
	void compressedFramesAreRelayedAsTheyAre() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/deflate",
				EXTENSIONS + ": permessage-deflate\r\n")) {
			assertThat(client.head()).containsIgnoringCase(EXTENSIONS + ": permessage-deflate");
			TestBackend.Session session = compressing.nextSession();
			Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
			Inflater inflater = new Inflater(true);
			for (String text : List.of("first, through Netty's decoder", "second, raw", "third, raw")) {
				client.write(WireClient.masked(0xC1, deflate(deflater, text)));
				WireFrame echoed = client.read();
				assertThat(echoed.rsv()).as("RSV1: still compressed").isEqualTo(4);
				assertThat(inflate(inflater, echoed.payload())).isEqualTo(text);
				assertThat(session.nextFrame().text()).isEqualTo(text);
			}
		}
	}

	/** Compressed text is the endpoints' to check once inflated; uncompressed text is still checked. */
	@Test
	void uncompressedTextIsStillCheckedForUtf8() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/deflate",
				EXTENSIONS + ": permessage-deflate\r\n")) {
			TestBackend.Session session = compressing.nextSession();
			client.write(WireClient.masked(0x81, new byte[] { 'o', 'k', (byte) 0xC3, 0x28 }));
			assertThat(client.readClose().closeCode()).isEqualTo(1007);
			assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).reasonText()).isEqualTo("client sent invalid UTF-8");
		}
	}

	/**
	 * RSV1 is allowed on the first frame of a data message when permessage-deflate was negotiated,
	 * nowhere else; RSV2 and RSV3 never. Each fault is sent as the session's first frame (Netty's
	 * decoder) and after a first message (the raw path).
	 */
	@ParameterizedTest(name = "{0}, after a first message: {3}")
	@CsvSource({
			"RSV1 without negotiation, false, C1, false",
			"RSV1 without negotiation, false, C1, true",
			"RSV1 on a ping, true, C9, false",
			"RSV1 on a ping, true, C9, true",
			"RSV1 on a continuation, true, C0, false",
			"RSV1 on a continuation, true, C0, true",
			"RSV2 on text, true, A1, false",
			"RSV3 on text, true, 91, true" })
	void reservedBitsOutOfPlaceAre1002(String fault, boolean offer, String first, boolean warm) throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/deflate",
				offer ? EXTENSIONS + ": permessage-deflate\r\n" : "")) {
			TestBackend.Session session = compressing.nextSession();
			if (warm) {
				client.sendText("first");
				client.read(); // the echo, compressed when negotiated
				assertThat(session.nextFrame().text()).isEqualTo("first");
			}
			byte[] frame = WireClient.masked(Integer.parseInt(first, 16), "abc".getBytes(StandardCharsets.UTF_8));
			if (first.endsWith("0")) {
				// A continuation needs a message under way.
				client.write(WireClient.masked(0x01, "a".getBytes(StandardCharsets.UTF_8)), frame);
			}
			else {
				client.write(frame);
			}
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).as(fault).isEqualTo(1002);
			WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
			assertThat(atBackend.code()).isEqualTo(1001);
			assertThat(atBackend.reasonText()).isEqualTo("client protocol error");
		}
	}

	/** A raw permessage-deflate payload: deflate with a sync flush, less its final 00 00 FF FF (RFC 7692 7.2.1). */
	static byte[] deflate(Deflater deflater, String text) {
		deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] chunk = new byte[1024];
		int n;
		while ((n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH)) > 0) {
			out.write(chunk, 0, n);
		}
		byte[] all = out.toByteArray();
		return Arrays.copyOf(all, all.length - 4);
	}

	static String inflate(Inflater inflater, byte[] payload) throws DataFormatException {
		byte[] input = Arrays.copyOf(payload, payload.length + 4);
		input[payload.length + 2] = (byte) 0xFF;
		input[payload.length + 3] = (byte) 0xFF;
		inflater.setInput(input);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] chunk = new byte[1024];
		int n;
		while ((n = inflater.inflate(chunk)) > 0) {
			out.write(chunk, 0, n);
		}
		return out.toString(StandardCharsets.UTF_8);
	}
}
