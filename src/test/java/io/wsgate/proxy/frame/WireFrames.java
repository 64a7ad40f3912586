package io.wsgate.proxy.frame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** WebSocket frames as bytes on the wire, for the frame path's tests; payloads under 126 bytes. */
final class WireFrames {

	private static final int MASK = 0x37fa213d;

	private WireFrames() {
	}

	/** A client frame (masked), written to {@code out}. */
	static ByteBuf masked(ByteBuf out, int firstByte, String payload) {
		return masked(out, firstByte, payload.getBytes(StandardCharsets.UTF_8));
	}

	/** A client frame (masked), written to {@code out}. */
	static ByteBuf masked(ByteBuf out, int firstByte, byte[] payload) {
		out.writeByte(firstByte).writeByte(0x80 | payload.length).writeInt(MASK);
		for (int i = 0; i < payload.length; i++) {
			out.writeByte(payload[i] ^ (MASK >>> (24 - ((i & 3) << 3))));
		}
		return out;
	}

	/** A client frame (masked), in a buffer of its own. */
	static ByteBuf masked(int firstByte, String payload) {
		return masked(Unpooled.buffer(), firstByte, payload);
	}

	/** A client frame (masked), in a buffer of its own. */
	static ByteBuf masked(int firstByte, byte[] payload) {
		return masked(Unpooled.buffer(), firstByte, payload);
	}

	/** A backend frame (unmasked), in a buffer of its own. */
	static ByteBuf unmasked(int firstByte, String payload) {
		byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
		return Unpooled.buffer().writeByte(firstByte).writeByte(bytes.length).writeBytes(bytes);
	}

	/** The payloads, as text, of the frames in {@code wire}; the buffer itself is left as it is. */
	static List<String> payloads(ByteBuf wire, boolean masked) {
		ByteBuf frames = wire.duplicate();
		List<String> payloads = new ArrayList<>();
		while (frames.isReadable()) {
			frames.readByte();
			int length = frames.readByte() & 0x7F;
			int mask = masked ? frames.readInt() : 0;
			byte[] payload = new byte[length];
			for (int i = 0; i < length; i++) {
				payload[i] = (byte) RawFrameReader.unmask(frames.readByte(), mask, i);
			}
			payloads.add(new String(payload, StandardCharsets.UTF_8));
		}
		return payloads;
	}
}
