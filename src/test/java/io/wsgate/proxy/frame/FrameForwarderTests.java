package io.wsgate.proxy.frame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.wsgate.pipeline.SessionGuards.MessageRate;
import io.wsgate.pipeline.SessionGuards.MessageRate.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session's two {@link FrameForwarder}s between two {@link EmbeddedChannel}s standing for the
 * client's and the backend's connections, with Netty's codecs as Reactor Netty sets them up: what
 * crosses, what is counted, when the raw reader takes over, and what is reported to the session.
 */
class FrameForwarderTests {

	private final RecordingEvents clientEvents = new RecordingEvents();

	private final RecordingEvents backendEvents = new RecordingEvents();

	private final List<String> counted = new ArrayList<>();

	private EmbeddedChannel client;

	private EmbeddedChannel backend;

	/** The client's forwarder. */
	private FrameForwarder up;

	@AfterEach
	void releaseEverything() {
		client.finishAndReleaseAll();
		backend.finishAndReleaseAll();
	}

	@Test
	void theFirstMessageCrossesDecodedThenTheRawReaderRelaysTheBytesAsTheyCame() {
		connect(1 << 20, null);

		client.writeInbound(WireFrames.masked(0x81, "first"));

		assertThat(backendPayloads()).containsExactly("first");
		assertThat(client.pipeline().get(RawFrameReader.class)).isNotNull();
		assertThat(client.pipeline().get(WebSocket13FrameDecoder.class)).isNull();
		assertThat(client.pipeline().get(DecodedFrameCheck.class)).isNull();

		ByteBuf second = WireFrames.masked(0x82, "second");
		byte[] sent = ByteBufUtil.getBytes(second);
		client.writeInbound(second);

		ByteBuf relayed = backend.readOutbound();
		assertThat(ByteBufUtil.getBytes(relayed)).isEqualTo(sent);
		relayed.release();
		assertThat(counted).containsExactly("up:1:5", "up:2:6");
		assertThat(clientEvents.heard).containsExactly(true, true);
	}

	@Test
	void aFragmentedMessageOverTheLimitIsReportedOnceAndNothingMoreCrosses() {
		connect(10, null);

		client.writeInbound(WireFrames.masked(0x01, "123456"));
		client.writeInbound(WireFrames.masked(0x80, "789012"));
		client.writeInbound(WireFrames.masked(0x81, "later"));

		assertThat(backendPayloads()).containsExactly("123456");
		assertThat(clientEvents.tooBig).containsExactly(10L);
		assertThat(clientEvents.protocolErrors).isEmpty();
	}

	@Test
	void aProtocolErrorFoundByNettysDecoderIsReportedNotRaised() {
		connect(1 << 20, null);
		// Unmasked, from the client.
		ByteBuf unmasked = Unpooled.buffer().writeByte(0x81).writeByte(2).writeBytes("hi".getBytes(StandardCharsets.UTF_8));

		client.writeInbound(unmasked);

		client.checkException();
		assertThat(clientEvents.protocolErrors).containsExactly(1002);
		assertThat(closeCodeSentTo(client)).isEqualTo(1002);
		assertThat(backendPayloads()).isEmpty();
	}

	@Test
	void aProtocolErrorFoundByTheRawReaderIsReportedNotRaised() {
		connect(1 << 20, null);
		client.writeInbound(WireFrames.masked(0x81, "fine"));
		backendPayloads();

		client.writeInbound(WireFrames.masked(0x81, new byte[] { (byte) 0xC3, (byte) 0x28 }));

		client.checkException();
		assertThat(clientEvents.protocolErrors).containsExactly(1007);
		assertThat(backendPayloads()).isEmpty();
	}

	@Test
	void theEchoOfTheGatewaysPingIsHeardButNotForwarded() {
		connect(1 << 20, null);

		backend.writeInbound(WireFrames.unmasked(0x8A, "wsgate-keepalive"));
		backend.writeInbound(WireFrames.unmasked(0x8A, "the backend's own"));

		assertThat(clientPayloads()).containsExactly("the backend's own");
		assertThat(backendEvents.heard).containsExactly(false, false);
		assertThat(counted).isEmpty();
	}

	@Test
	void aSideIsNotReadWhileThePeerCannotTakeMoreAndIsAgainOnceItDrains() {
		connect(1 << 20, null);
		HeldFlushes held = new HeldFlushes();
		backend.pipeline().addFirst(held);
		backend.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));

		client.writeInbound(WireFrames.masked(0x82, "more than the high-water mark"));

		assertThat(client.config().isAutoRead()).isFalse();
		held.release();
		assertThat(client.config().isAutoRead()).isTrue();
	}

	@Test
	void aCloseMessageRateExceededIsReportedWithItsFilter() {
		connect(1 << 20, List.of(new MessageRate(0.001, 1, Action.CLOSE, "chatty")));

		client.writeInbound(WireFrames.masked(0x81, "one"));
		client.writeInbound(WireFrames.masked(0x81, "two"));

		assertThat(backendPayloads()).containsExactly("one");
		assertThat(clientEvents.ratesExceeded).containsExactly("chatty");
	}

	@Test
	void theClientsCloseIsHeldFromReactorNettyUntilTheSessionAnswersIt() {
		connect(1 << 20, null);
		client.writeInbound(WireFrames.masked(0x81, "first"));
		backendPayloads();

		client.writeInbound(WireFrames.masked(0x88, new byte[] { 0x03, (byte) 0xE8, 'o', 'k' }));

		assertThat(clientEvents.closes).containsExactly("1000 ok");
		assertThat((Object) client.readInbound()).as("nothing goes on to Reactor Netty, which would answer at once")
			.isNull();
		assertThat(backendPayloads()).as("the session sends the backend its close").isEmpty();
		assertThat(clientPayloads()).as("nor is the client answered here").isEmpty();

		assertThat(up.answerHeldClose()).isTrue();
		CloseWebSocketFrame close = client.readInbound();
		assertThat(close.statusCode()).isEqualTo(1000);
		assertThat(close.reasonText()).isEqualTo("ok");
		close.release();
		assertThat(up.answerHeldClose()).as("once").isFalse();
	}

	@Test
	void aClientThatLeavesWithItsCloseHeldHasItPassedOnBeforeItsEnd() {
		connect(1 << 20, null);
		client.writeInbound(WireFrames.masked(0x81, "first"));
		backendPayloads();
		List<String> seen = new ArrayList<>();
		client.pipeline().addLast(new ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				seen.add("close " + ((CloseWebSocketFrame) msg).statusCode());
				((CloseWebSocketFrame) msg).release();
			}

			@Override
			public void channelInactive(ChannelHandlerContext ctx) {
				seen.add("inactive");
			}
		});

		client.writeInbound(WireFrames.masked(0x88, new byte[] { 0x03, (byte) 0xE8 }));
		client.close();

		assertThat(seen).as("Reactor Netty ends the side as closed, not aborted").containsExactly("close 1000", "inactive");
	}

	@Test
	void theBackendsCloseGoesOnToItsEnd() {
		connect(1 << 20, null);
		backend.writeInbound(WireFrames.unmasked(0x81, "first"));
		clientPayloads();

		backend.writeInbound(Unpooled.buffer().writeByte(0x88).writeByte(2).writeShort(1000));

		CloseWebSocketFrame close = backend.readInbound();
		assertThat(close.statusCode()).isEqualTo(1000);
		close.release();
		assertThat(backendEvents.closes).isEmpty();
		assertThat(clientPayloads()).isEmpty();
	}

	/** The two channels as Reactor Netty leaves them after the upgrades, with a forwarder each. */
	private void connect(long maxMessageSize, List<MessageRate> clientRates) {
		client = new EmbeddedChannel();
		backend = new EmbeddedChannel();
		up = new FrameForwarder(client, backend, clientEvents, (opcode, size) -> count("up", opcode, size),
				maxMessageSize, true, false, (clientRates != null) ? MessageRateLimit.of(clientRates, System.nanoTime()) : null);
		FrameForwarder down = new FrameForwarder(backend, client, backendEvents,
				(opcode, size) -> count("down", opcode, size), maxMessageSize, false, false, null);
		client.pipeline().addLast(new WebSocket13FrameEncoder(false), new WebSocket13FrameDecoder(true, false, 1 << 20),
				new DecodedFrameCheck(false), up);
		backend.pipeline().addLast(new WebSocket13FrameEncoder(true), new WebSocket13FrameDecoder(false, false, 1 << 20),
				new DecodedFrameCheck(false), down);
		FrameForwarder.pair(up, down, client.pipeline().context(WebSocketFrameEncoder.class),
				backend.pipeline().context(WebSocketFrameEncoder.class));
	}

	private void count(String direction, int opcode, long size) {
		if (Opcodes.isData(opcode)) {
			counted.add(direction + ":" + opcode + ":" + size);
		}
	}

	/** The payloads of what reached the backend's wire (masked frames). */
	private List<String> backendPayloads() {
		return payloads(backend, true);
	}

	/** The payloads of what reached the client's wire (unmasked frames). */
	private List<String> clientPayloads() {
		return payloads(client, false);
	}

	private static List<String> payloads(EmbeddedChannel channel, boolean masked) {
		ByteBuf wire = Unpooled.buffer();
		for (Object out; (out = channel.readOutbound()) != null;) {
			wire.writeBytes((ByteBuf) out);
			((ByteBuf) out).release();
		}
		List<String> payloads = WireFrames.payloads(wire, masked);
		wire.release();
		return payloads;
	}

	/** The code of the close frame the decoder wrote back to a side (encoded by its encoder). */
	private static int closeCodeSentTo(EmbeddedChannel channel) {
		ByteBuf close = channel.readOutbound();
		int code = close.getUnsignedShort(close.readerIndex() + 2);
		close.release();
		return code;
	}

	/** A network that takes nothing until released: the channel's written bytes stay pending. */
	private static final class HeldFlushes extends ChannelOutboundHandlerAdapter {

		private ChannelHandlerContext context;

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			this.context = ctx;
		}

		@Override
		public void flush(ChannelHandlerContext ctx) {
		}

		void release() {
			context.flush();
		}
	}

	private static final class RecordingEvents implements FrameEvents {

		final List<Boolean> heard = new ArrayList<>();

		final List<Long> tooBig = new ArrayList<>();

		final List<String> ratesExceeded = new ArrayList<>();

		final List<Integer> protocolErrors = new ArrayList<>();

		final List<String> closes = new ArrayList<>();

		@Override
		public void heard(boolean messageEnded) {
			heard.add(messageEnded);
		}

		@Override
		public void held(boolean held) {
		}

		@Override
		public void messageTooBig(long limit) {
			tooBig.add(limit);
		}

		@Override
		public void messageRateExceeded(String filter) {
			ratesExceeded.add(filter);
		}

		@Override
		public void protocolError(int code) {
			protocolErrors.add(code);
		}

		@Override
		public void closeHeard(WebSocketCloseStatus status) {
			closes.add(status.code() + " " + status.reasonText());
		}
	}
}
