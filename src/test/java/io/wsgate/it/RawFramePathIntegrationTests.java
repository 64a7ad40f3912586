package io.wsgate.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
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

/**
 * Once a session's first message has passed, each side's frames are relayed as raw bytes (see
 * RawFrameReader). These tests send that first message, then check through real sockets that the
 * raw path keeps every promise of the decoded one: frames whole and in order, fragments, control
 * frames, close codes, and the same close codes for the same faults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawFramePathIntegrationTests {

	private final TestBackend backend = new TestBackend();

	private static final List<String> GREETING = java.util.stream.IntStream.range(0, 300)
		.mapToObj(i -> "hello " + i + " " + "g".repeat(i))
		.toList();

	/** Speaks first: sends its greeting before the client is even upgraded. */
	private final TestBackend greeter = new TestBackend().greet(GREETING);

	/** Says why and closes at once, as a backend that refuses a session after its 101 does. */
	private final TestBackend farewell = new TestBackend().greet(List.of("not today")).thenClose(4001, "go away");

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /ws", "default-limits", "ws://127.0.0.1:${backend}")
			.proxy("path: /small", "small", "ws://127.0.0.1:${backend}", "clientMaxMsgSize: 100, serverMaxMsgSize: 100")
			.proxy("path: /unlimited", "unlimited", "ws://127.0.0.1:${backend}",
					"clientMaxMsgSize: -1, serverMaxMsgSize: -1")
			.proxy("path: /greeting", "greeting", "ws://127.0.0.1:${greeter}")
			.proxy("path: /farewell", "farewell", "ws://127.0.0.1:${farewell}")
			.start(Map.of("backend", backend.port(), "greeter", greeter.port(), "farewell", farewell.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
		greeter.close();
		farewell.close();
	}

	@BeforeEach
	void forgetSessions() {
		backend.sessions.clear();
	}

	/** Connects and passes a first message both ways, after which both sides relay raw bytes. */
	private WireClient warmedUp(String path) throws Exception {
		WireClient client = WireClient.connect(gateway.port("edge"), path);
		client.sendText("first");
		assertThat(client.read().text()).isEqualTo("first");
		return client;
	}

	@Test
	void manyFramesWrittenAtOnceArriveWholeAndInOrder() throws Exception {
		Random random = new Random(7);
		List<byte[]> payloads = new ArrayList<>();
		List<byte[]> frames = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			// Lengths on both sides of the 7-bit, 16-bit and 64-bit encodings.
			int length = switch (i % 5) {
				case 0 -> random.nextInt(126);
				case 1 -> 125 + random.nextInt(3);
				case 2 -> random.nextInt(5000);
				case 3 -> 65535 + random.nextInt(3);
				default -> 0;
			};
			byte[] payload = new byte[length];
			random.nextBytes(payload);
			payloads.add(payload);
			frames.add(WireClient.masked(0x82, payload));
		}
		try (WireClient client = warmedUp("/unlimited")) {
			// Written while the echoes are read, or both directions could fill up.
			Thread writer = new Thread(() -> {
				try {
					client.write(frames.toArray(byte[][]::new));
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			writer.start();
			for (int i = 0; i < payloads.size(); i++) {
				WireFrame echoed = client.read();
				assertThat(echoed.opcode()).as("frame %d", i).isEqualTo(0x2);
				assertThat(Arrays.equals(echoed.payload(), payloads.get(i))).as("payload of frame %d", i).isTrue();
			}
			writer.join(10_000);
		}
	}

	/**
	 * A backend that speaks first: its frames arrive while the client is still being upgraded (they
	 * wait in Reactor Netty), then through Netty's decoder, then raw. All arrive, in order.
	 */
	@Test
	void aBackendThatSpeaksFirstIsHeardInOrder() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/greeting")) {
			for (String expected : GREETING) {
				assertThat(client.read().text()).isEqualTo(expected);
			}
			client.sendText("and now me");
			assertThat(client.read().text()).isEqualTo("and now me");
		}
	}

	/**
	 * A backend that speaks and closes before the client is even upgraded: its message, then its close,
	 * reach the client.
	 */
	@Test
	void aBackendThatClosesRightAfterItsFirstWordsIsHeardToTheEnd() throws Exception {
		for (int i = 0; i < 20; i++) {
			try (WireClient client = WireClient.connect(gateway.port("edge"), "/farewell")) {
				assertThat(client.read().text()).as("session %d", i).isEqualTo("not today");
				WireFrame close = client.readClose();
				assertThat(close.closeCode()).isEqualTo(4001);
				assertThat(close.closeReason()).isEqualTo("go away");
			}
		}
	}

	@Test
	void aMebibyteMessageCrossesManyReads() throws Exception {
		byte[] big = new byte[1 << 20];
		new Random(3).nextBytes(big);
		try (WireClient client = warmedUp("/unlimited")) {
			client.write(WireClient.masked(0x82, big));
			assertThat(Arrays.equals(client.read().payload(), big)).isTrue();
		}
	}

	@Test
	void fragmentsAndACodePointSplitBetweenThemPass() throws Exception {
		byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
		try (WireClient client = warmedUp("/ws")) {
			TestBackend.Session session = backend.nextSession();
			client.write(WireClient.masked(0x01, new byte[] { 'a', euro[0] }),
					WireClient.masked(0x89, "between".getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x80, new byte[] { euro[1], euro[2], 'b' }));
			List<WireFrame> back = List.of(client.read(), client.read(), client.read());
			assertThat(back).extracting(WireFrame::opcode).containsExactly(0x1, 0xA, 0x0);
			assertThat(back.get(1).text()).isEqualTo("between");
			assertThat(session.frames).extracting(Frame::type).containsExactly("text", "text", "ping", "continuation");
		}
	}

	@Test
	void pingsPongsAndCloseCodesTravelAsBefore() throws Exception {
		try (WireClient client = warmedUp("/ws")) {
			TestBackend.Session session = backend.nextSession();
			client.write(WireClient.masked(0x89, "are you there".getBytes(StandardCharsets.UTF_8)));
			WireFrame pong = client.read();
			assertThat(pong.opcode()).isEqualTo(0xA);
			assertThat(pong.text()).isEqualTo("are you there");

			client.write(WireClient.masked(0x88, WireClient.closePayload(4000, "bye")));
			WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
			assertThat(atBackend.code()).isEqualTo(4000);
			assertThat(atBackend.reasonText()).isEqualTo("bye");
			assertThat(client.readClose().closeCode()).isEqualTo(4000);
		}
	}

	@Test
	void invalidUtf8InALaterFragmentIs1007AndTheBackendGets1001() throws Exception {
		try (WireClient client = warmedUp("/ws")) {
			TestBackend.Session session = backend.nextSession();
			client.write(WireClient.masked(0x01, "fine so far ".getBytes(StandardCharsets.UTF_8)),
					WireClient.masked(0x80, new byte[] { 'x', (byte) 0xC3, 0x28 }));
			assertThat(client.readClose().closeCode()).isEqualTo(1007);
			WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
			assertThat(atBackend.code()).isEqualTo(1001);
			assertThat(atBackend.reasonText()).isEqualTo("client sent invalid UTF-8");
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({
			"unmasked frame, 81, false, 2",
			"reserved bit set, C1, true, 2",
			"reserved opcode, 83, true, 2",
			"continuation outside a message, 80, true, 2",
			"ping of 126 bytes, 89, true, 126" })
	void protocolErrorsAre1002AndTheBackendGets1001(String fault, String first, boolean masked, int length)
			throws Exception {
		byte[] payload = new byte[length];
		Arrays.fill(payload, (byte) 'p');
		int firstByte = Integer.parseInt(first, 16);
		try (WireClient client = warmedUp("/ws")) {
			TestBackend.Session session = backend.nextSession();
			client.write(masked ? WireClient.masked(firstByte, payload) : WireClient.unmasked(firstByte, payload));
			assertThat(client.readClose().closeCode()).as(fault).isEqualTo(1002);
			WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
			assertThat(atBackend.code()).isEqualTo(1001);
			assertThat(atBackend.reasonText()).isEqualTo("client protocol error");
		}
	}

	/**
	 * Reactor Netty builds Netty's decoder allowing every reserved bit, so the first frames, which
	 * still go through it, are checked for them by the gateway: 1002, as on the raw path.
	 */
	@Test
	void aReservedBitOnTheFirstFrameIs1002Too() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/ws")) {
			TestBackend.Session session = backend.nextSession();
			client.write(WireClient.masked(0xC1, "abc".getBytes(StandardCharsets.UTF_8)));
			assertThat(client.readClose().closeCode()).isEqualTo(1002);
			WebSocketCloseStatus atBackend = session.closeStatus.get(5, TimeUnit.SECONDS);
			assertThat(atBackend.reasonText()).isEqualTo("client protocol error");
			assertThat(session.frames).isEmpty();
		}
	}

	@Test
	void aReservedBitOnTheBackendsFirstFrameIs1002() throws Exception {
		try (WireClient client = WireClient.connect(gateway.port("edge"), "/ws")) {
			TestBackend.Session session = backend.nextSession();
			session.send(new TextWebSocketFrame(true, 4, "abc"));
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1001);
			assertThat(close.closeReason()).isEqualTo("backend protocol error");
			assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1002);
		}
	}

	@Test
	void aFrameOverTheLimitIs1009() throws Exception {
		try (WireClient client = warmedUp("/small")) {
			TestBackend.Session session = backend.nextSession();
			client.write(WireClient.masked(0x82, new byte[101]));
			assertThat(client.readClose().closeCode()).isEqualTo(1009);
			assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).reasonText()).isEqualTo("client message too big");
		}
	}

	@Test
	void aFragmentedMessageOverTheLimitIs1009() throws Exception {
		try (WireClient client = warmedUp("/small")) {
			TestBackend.Session session = backend.nextSession();
			client.write(WireClient.masked(0x02, new byte[60]), WireClient.masked(0x80, new byte[60]));
			assertThat(client.readClose().closeCode()).isEqualTo(1009);
			assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1001);
			assertThat(session.frames).as("only the first message reached the backend").hasSize(1);
		}
	}

	@Test
	void theBackendsFramesAreCheckedToo() throws Exception {
		try (WireClient client = warmedUp("/ws")) {
			TestBackend.Session session = backend.nextSession();
			session.send(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { 'o', 'k', (byte) 0xC3, 0x28 })));
			WireFrame close = client.readClose();
			assertThat(close.closeCode()).isEqualTo(1001);
			assertThat(close.closeReason()).isEqualTo("backend sent invalid UTF-8");
			assertThat(session.closeStatus.get(5, TimeUnit.SECONDS).code()).isEqualTo(1007);
		}
	}
}
