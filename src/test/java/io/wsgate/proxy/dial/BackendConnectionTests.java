package io.wsgate.proxy.dial;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.wsgate.proxy.frame.FramePath;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend's end of a session, in a channel of its own: what the backend sends between its 101
 * and the start of the relay (which may come in the very packet of the 101) waits for the relay.
 */
class BackendConnectionTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final List<Object> told = new ArrayList<>();

	private @Nullable BackendConnection upgraded;

	@AfterEach
	void close() {
		channel.finishAndReleaseAll();
	}

	@Test
	void whatTheBackendSaysAndItsCloseBeforeTheRelayReachTheRelayInOrder() throws Exception {
		BackendConnection connection = dial();
		String key = sentKey();

		channel.writeInbound(concat(answer101(key), textFrame("not today"), closeFrame(4001, "go away")));

		assertThat(upgraded).isSameAs(connection);
		assertThat(channel.config().isAutoRead()).as("reading waits for the relay").isFalse();
		ByteBuf echoed = channel.readOutbound();
		assertThat(echoed).as("the backend's close is answered with the same close").isNotNull();
		assertThat(closeReason(echoed)).isEqualTo("go away");
		echoed.release();

		List<String> heard = new ArrayList<>();
		connection.receive(new Recorder(heard));

		assertThat(heard).containsExactly("text:not today", "complete");
		assertThat(connection.receiveCloseStatus().block().code()).isEqualTo(4001);
	}

	@Test
	void aQuietBackendIsReadOnAndTheFirstFrameBeforeTheRelayPausesReading() throws Exception {
		BackendConnection connection = dial();
		channel.writeInbound(answer101(sentKey()));

		assertThat(upgraded).isSameAs(connection);
		assertThat(channel.config().isAutoRead()).as("nothing held: no reason to pause").isTrue();

		channel.writeInbound(textFrame("first"));
		assertThat(channel.config().isAutoRead()).as("held for the relay: no more read meanwhile").isFalse();

		List<String> heard = new ArrayList<>();
		connection.receive(new Recorder(heard));
		assertThat(heard).containsExactly("text:first");
		assertThat(channel.config().isAutoRead()).as("the relay reads on").isTrue();
	}

	@Test
	void aRefusalIsTheBackendsAnswerNotAnUpgrade() throws Exception {
		dial();
		channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n",
				StandardCharsets.US_ASCII));

		assertThat(upgraded).isNull();
		assertThat(told).singleElement().asString().contains("403");
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void framesKeptForARelayThatNeverCameAreLetGoWhenTheSessionCloses() throws Exception {
		BackendConnection connection = dial();
		channel.writeInbound(concat(answer101(sentKey()), textFrame("hello")));

		connection.close();

		assertThat(channel.isOpen()).isFalse();
		List<String> heard = new ArrayList<>();
		connection.receive(new Recorder(heard));
		assertThat(heard).as("released at the close, not handed to a relay").containsExactly("complete");
	}

	private BackendConnection dial() {
		HttpHeaders headers = new DefaultHttpHeaders();
		var handshaker = WebSocketClientHandshakerFactory.newHandshaker(URI.create("ws://127.0.0.1:9/ws"),
				WebSocketVersion.V13, null, true, headers, 65536, true, false, -1, false, false);
		BackendConnection connection = new BackendConnection(channel, handshaker,
				new BackendConnection.HandshakeListener() {
					@Override
					public void upgraded(BackendConnection c, HttpHeaders response, @Nullable String subprotocol) {
						upgraded = c;
					}

					@Override
					public void failed(Throwable error) {
						told.add(error.getMessage());
					}
				}, null);
		channel.pipeline().addLast(new HttpClientCodec()).addLast(FramePath.BACKEND_END, connection);
		channel.pipeline().fireChannelActive();
		return connection;
	}

	/** The Sec-WebSocket-Key of the handshake the connection sent. */
	private String sentKey() {
		ByteBuf request = channel.readOutbound();
		String text = request.toString(StandardCharsets.US_ASCII);
		request.release();
		Matcher key = Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)").matcher(text);
		assertThat(key.find()).as(text).isTrue();
		return key.group(1);
	}

	private static ByteBuf answer101(String key) throws Exception {
		byte[] sha1 = MessageDigest.getInstance("SHA-1")
			.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
		return Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1) + "\r\n\r\n", StandardCharsets.US_ASCII);
	}

	private static ByteBuf textFrame(String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		ByteBuf frame = Unpooled.buffer().writeByte(0x81).writeByte(payload.length);
		return frame.writeBytes(payload);
	}

	private static ByteBuf closeFrame(int code, String reason) {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		return Unpooled.buffer().writeByte(0x88).writeByte(2 + text.length).writeShort(code).writeBytes(text);
	}

	private static ByteBuf concat(ByteBuf... parts) {
		return Unpooled.wrappedBuffer(parts);
	}

	/**
	 * The reason of a short close frame the gateway sent a backend: 2 header bytes, 4 mask bytes, then
	 * the masked payload (2 bytes of code, the reason).
	 */
	private static String closeReason(ByteBuf frame) {
		int length = frame.getByte(1) & 0x7f;
		byte[] payload = new byte[length];
		for (int i = 0; i < length; i++) {
			payload[i] = (byte) (frame.getByte(6 + i) ^ frame.getByte(2 + i % 4));
		}
		return new String(payload, 2, length - 2, StandardCharsets.UTF_8);
	}

	/** Records what the relay would hear: frames as type:text, then its end. */
	private record Recorder(List<String> heard) implements CoreSubscriber<Object> {

		@Override
		public void onSubscribe(Subscription subscription) {
			subscription.request(Long.MAX_VALUE);
		}

		@Override
		public void onNext(Object frame) {
			if (frame instanceof TextWebSocketFrame text) {
				heard.add("text:" + text.text());
			}
			else if (frame instanceof CloseWebSocketFrame) {
				heard.add("close");
			}
			else {
				heard.add(frame.getClass().getSimpleName());
			}
		}

		@Override
		public void onError(Throwable error) {
			heard.add("error:" + error);
		}

		@Override
		public void onComplete() {
			heard.add("complete");
		}
	}
}
