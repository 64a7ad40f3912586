package io.wsgate.proxy.frame;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java part of relaying a client's frames, per frame, without the network and its noise: a read
 * batch of {@value #FRAMES_PER_READ} masked frames goes in, the bytes for the backend come out.
 * {@code rawFrameReader} is the gateway's path ({@link RawFrameReader}: frames checked in place and
 * relayed as bytes); {@code nettyCodec} is what it replaced (Netty's decoder unmasks each payload into a
 * frame object, the UTF-8 validator checks text, the encoder masks it again for the backend). Both
 * run in an {@link EmbeddedChannel}, whose own cost they share. Run with {@code bench/jmh.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@OperationsPerInvocation(FramePathBenchmark.FRAMES_PER_READ)
public class FramePathBenchmark {

	/** Frames read together: a loaded connection's read batches carry several. */
	static final int FRAMES_PER_READ = 8;

	@Param({ "64", "4096" })
	int size;

	@Param({ "binary", "text" })
	String type;

	private ByteBuf batch;

	private EmbeddedChannel raw;

	private EmbeddedChannel netty;

	@Setup
	public void setUp() {
		boolean text = type.equals("text");
		byte[] payload = text ? textPayload(size) : new byte[size];
		if (!text) {
			ThreadLocalRandom.current().nextBytes(payload);
		}
		batch = Unpooled.directBuffer();
		for (int i = 0; i < FRAMES_PER_READ; i++) {
			writeMaskedFrame(batch, text ? Opcodes.TEXT : Opcodes.BINARY, payload);
		}
		ChannelSink sink = new ChannelSink();
		raw = new EmbeddedChannel(new RawFrameReader(sink, true, MessageSizeLimit.frameLimit(-1), false));
		sink.channel = raw;
		netty = new EmbeddedChannel(new WebSocket13FrameEncoder(true),
				new WebSocket13FrameDecoder(true, false, MessageSizeLimit.frameLimit(-1)), new Utf8FrameValidator(true),
				new FrameWriter());
	}

	@TearDown
	public void tearDown() {
		raw.finishAndReleaseAll();
		netty.finishAndReleaseAll();
		batch.release();
	}

	@Benchmark
	public long rawFrameReader() {
		return relay(raw);
	}

	@Benchmark
	public long nettyCodec() {
		return relay(netty);
	}

	/** Reads one batch, flushes, and releases what was written out; returns the bytes relayed. */
	private long relay(EmbeddedChannel channel) {
		channel.writeInbound(batch.retainedDuplicate());
		channel.flushOutbound();
		long bytes = 0;
		for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
			bytes += out.readableBytes();
			out.release();
		}
		if (bytes == 0) {
			throw new IllegalStateException("nothing relayed");
		}
		return bytes;
	}

	/** Chat-like text: JSON messages, mostly ASCII with a few two- and three-byte characters. */
	private static byte[] textPayload(int size) {
		byte[] sample = "{\"user\":\"zoë\",\"room\":\"général\",\"text\":\"see you at 8 ☕\",\"ts\":1764130000123}\n"
			.getBytes(StandardCharsets.UTF_8);
		byte[] payload = new byte[size];
		int length = 0;
		while (length + sample.length <= size) {
			System.arraycopy(sample, 0, payload, length, sample.length);
			length += sample.length;
		}
		while (length < size) {
			payload[length++] = ' ';
		}
		return payload;
	}

	private static void writeMaskedFrame(ByteBuf out, int opcode, byte[] payload) {
		out.writeByte(0x80 | opcode);
		if (payload.length < 126) {
			out.writeByte(0x80 | payload.length);
		}
		else {
			out.writeByte(0x80 | 126);
			out.writeShort(payload.length);
		}
		int mask = ThreadLocalRandom.current().nextInt();
		out.writeInt(mask);
		for (int i = 0; i < payload.length; i++) {
			out.writeByte(payload[i] ^ (mask >>> (24 - ((i & 3) << 3))));
		}
	}

	/** Stands in for {@link FrameForwarder} on the raw path: admits every frame, writes the bytes out. */
	private static final class ChannelSink implements RawFrameReader.Sink {

		EmbeddedChannel channel;

		@Override
		public boolean admit(int opcode, boolean fin, long size, boolean keepaliveEcho) {
			return true;
		}

		@Override
		public void relay(ByteBuf frames) {
			channel.write(frames, channel.voidPromise());
		}
	}

	/** The old path's forwarder: writes each decoded frame out, to be encoded again. */
	private static final class FrameWriter extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object frame) {
			ctx.channel().write(frame, ctx.channel().voidPromise());
		}
	}
}
