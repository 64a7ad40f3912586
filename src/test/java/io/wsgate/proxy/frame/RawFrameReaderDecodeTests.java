package io.wsgate.proxy.frame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RawFrameReader#decode} in an {@link EmbeddedChannel}: what it relays (whole frames, as the
 * bytes they arrived in, a read's run in one write), what it asks the sink, and how it answers a
 * protocol error (a close frame with Netty's code, then the exception for the forwarder).
 */
class RawFrameReaderDecodeTests {

	private final RecordingSink sink = new RecordingSink();

	private EmbeddedChannel channel;

	@AfterEach
	void releaseEverything() {
		if (channel != null) {
			channel.finishAndReleaseAll();
		}
		sink.relayed.forEach(ByteBuf::release);
	}

	@Test
	void aRunOfWholeFramesIsRelayedAsTheBytesTheyArrivedInInOneWrite() {
		channel = clientReader(1 << 20);
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x81, "hello");
		WireFrames.masked(wire, 0x82, "bin");
		WireFrames.masked(wire, 0x89, "ping");
		byte[] sent = ByteBufUtil.getBytes(wire);

		channel.writeInbound(wire);

		assertThat(sink.relayed).hasSize(1);
		assertThat(ByteBufUtil.getBytes(sink.relayed.get(0))).isEqualTo(sent);
		assertThat(sink.admitted).containsExactly("1:true:5", "2:true:3", "9:true:4");
	}

	@Test
	void aFrameSplitAcrossReadsIsRelayedOnlyWhenWhole() {
		channel = clientReader(1 << 20);
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x81, "a message in two reads");
		byte[] sent = ByteBufUtil.getBytes(wire);

		channel.writeInbound(wire.readRetainedSlice(9));
		assertThat(sink.relayed).isEmpty();
		channel.writeInbound(wire);

		assertThat(sink.relayed).hasSize(1);
		assertThat(ByteBufUtil.getBytes(sink.relayed.get(0))).isEqualTo(sent);
	}

	@Test
	void aFrameTheSinkRefusesIsLeftOutOfTheRun() {
		channel = clientReader(1 << 20);
		sink.refuseOpcode = 0xA;
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x81, "before");
		WireFrames.masked(wire, 0x8A, "pong");
		WireFrames.masked(wire, 0x81, "after");

		channel.writeInbound(wire);

		assertThat(sink.relayed).hasSize(2);
		assertThat(WireFrames.payloads(sink.relayed.get(0), true)).containsExactly("before");
		assertThat(WireFrames.payloads(sink.relayed.get(1), true)).containsExactly("after");
	}

	@Test
	void aCloseFrameIsDecodedForReactorNettyAfterTheFramesBeforeIt() {
		channel = clientReader(1 << 20);
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x81, "last words");
		ByteBuf closePayload = Unpooled.buffer().writeShort(4000).writeBytes("bye".getBytes(StandardCharsets.UTF_8));
		WireFrames.masked(wire, 0x88, ByteBufUtil.getBytes(closePayload));
		closePayload.release();
		WireFrames.masked(wire, 0x81, "ignored after the close");

		channel.writeInbound(wire);

		assertThat(sink.relayed).hasSize(1);
		CloseWebSocketFrame close = channel.readInbound();
		assertThat(close.statusCode()).isEqualTo(4000);
		assertThat(close.reasonText()).isEqualTo("bye");
		close.release();
		assertThat((Object) channel.readInbound()).isNull();
	}

	@Test
	void invalidUtf8InTextIsAnswered1007AfterTheFramesBeforeIt() {
		channel = clientReader(1 << 20);
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x81, "fine");
		WireFrames.masked(wire, 0x81, new byte[] { (byte) 0xC3, (byte) 0x28 });

		assertThatThrownBy(() -> channel.writeInbound(wire)).isInstanceOf(CorruptedWebSocketFrameException.class)
			.satisfies(ex -> assertThat(((CorruptedWebSocketFrameException) ex).closeStatus().code()).isEqualTo(1007));

		assertThat(sink.relayed).hasSize(1);
		assertThat(closeCodeWritten()).isEqualTo(1007);
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void aFrameOverTheLimitIsAnswered1009() {
		channel = clientReader(8);
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x82, "nine byte");

		assertThatThrownBy(() -> channel.writeInbound(wire)).isInstanceOf(CorruptedWebSocketFrameException.class);

		assertThat(sink.relayed).isEmpty();
		assertThat(closeCodeWritten()).isEqualTo(1009);
	}

	@Test
	void anUnmaskedFrameFromTheClientIsAProtocolError() {
		channel = clientReader(1 << 20);
		ByteBuf wire = Unpooled.buffer().writeByte(0x81).writeByte(2).writeBytes("hi".getBytes(StandardCharsets.US_ASCII));

		assertThatThrownBy(() -> channel.writeInbound(wire)).isInstanceOf(CorruptedWebSocketFrameException.class);

		assertThat(closeCodeWritten()).isEqualTo(1002);
	}

	@Test
	void aLengthNotInItsMinimalEncodingIsAProtocolError() {
		channel = new EmbeddedChannel(new RawFrameReader(sink, false, 1 << 20, false));
		// 5 bytes announced with the 16-bit length form.
		ByteBuf wire = Unpooled.buffer().writeByte(0x82).writeByte(126).writeShort(5).writeBytes(new byte[5]);

		assertThatThrownBy(() -> channel.writeInbound(wire)).isInstanceOf(CorruptedWebSocketFrameException.class)
			.hasMessageContaining("minimal length");

		assertThat(closeCodeWritten()).isEqualTo(1002);
	}

	@Test
	void theKeepaliveEchoIsRecognisedThroughTheMask() {
		channel = clientReader(1 << 20);
		ByteBuf wire = Unpooled.buffer();
		WireFrames.masked(wire, 0x8A, "wsgate-keepalive");
		WireFrames.masked(wire, 0x8A, "wsgate-keepalivX");

		channel.writeInbound(wire);

		assertThat(sink.echoes).containsExactly(true, false);
	}

	private EmbeddedChannel clientReader(long maxFramePayload) {
		return new EmbeddedChannel(new RawFrameReader(sink, true, maxFramePayload, false));
	}

	/** The code of the close frame the reader wrote to the side (encoded by hand: no encoder here). */
	private int closeCodeWritten() {
		CloseWebSocketFrame close = channel.readOutbound();
		assertThat(close).isNotNull();
		int code = close.statusCode();
		close.release();
		return code;
	}

	/** Admits every frame but one opcode; keeps what it is given. */
	private static final class RecordingSink implements RawFrameReader.Sink {

		final List<ByteBuf> relayed = new ArrayList<>();

		final List<String> admitted = new ArrayList<>();

		final List<Boolean> echoes = new ArrayList<>();

		int refuseOpcode = -1;

		@Override
		public boolean admit(int opcode, boolean fin, long size, boolean keepaliveEcho) {
			admitted.add(opcode + ":" + fin + ":" + size);
			if (opcode == Opcodes.PONG) {
				echoes.add(keepaliveEcho);
			}
			return opcode != refuseOpcode;
		}

		@Override
		public void relay(ByteBuf frames) {
			relayed.add(frames);
		}
	}
}
