package io.wsgate.proxy.frame;

import io.netty.buffer.ByteBuf;

/**
 * Checks that a text message is valid UTF-8 as its bytes go by, across the frames of a fragmented
 * message, reading the bytes in place, masked or not: nothing is copied. A run of 8 ASCII bytes is
 * checked at once; other bytes go through Björn Höhrmann's UTF-8 automaton (the one Netty uses).
 */
final class Utf8Check {

	private static final int ACCEPT = 0;

	private static final int REJECT = 12;

	private static final long HIGH_BITS = 0x8080808080808080L;

	private static final byte[] TYPES = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9,
			9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
			7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 2, 2, 2, 2, 2, 2,
			2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 10,
			3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3, 11, 6, 6, 6, 5, 8, 8, 8, 8, 8,
			8, 8, 8, 8, 8, 8 };

	private static final byte[] STATES = { 0, 12, 24, 36, 60, 96, 84, 12, 12, 12, 48, 72, 12, 12, 12, 12, 12, 12, 12,
			12, 12, 12, 12, 12, 12, 0, 12, 12, 12, 12, 12, 0, 12, 0, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 24, 12,
			12, 12, 12, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12,
			12, 12, 12, 12, 12, 36, 12, 36, 12, 12, 12, 36, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12, 12, 36, 12, 12, 12,
			12, 12, 12, 12, 12, 12, 12 };

	private int state = ACCEPT;

	/**
	 * Takes the next bytes of the message: {@code length} bytes at {@code index}, XORed with the
	 * 4-byte {@code mask} (0 when unmasked) as a frame's payload is. Returns false once the bytes can
	 * no longer be UTF-8.
	 */
	boolean update(ByteBuf buf, int index, int length, int mask) {
		long mask8 = ((long) mask << 32) | (mask & 0xFFFFFFFFL);
		int offset = 0;
		int state = this.state;
		while (offset < length) {
			// Between code points, ASCII bytes need no automaton: 8 are checked at once (the mask,
			// rotated to this offset, covers them twice), and when one of the 8 is not ASCII, the
			// ASCII bytes before it are skipped at once (getLong is big-endian: the first byte is the
			// highest).
			if (state == ACCEPT && length - offset >= 8) {
				long high = (buf.getLong(index + offset) ^ Long.rotateLeft(mask8, (offset & 3) << 3)) & HIGH_BITS;
				if (high == 0) {
					offset += 8;
					continue;
				}
				offset += Long.numberOfLeadingZeros(high) >>> 3;
			}
			int b = RawFrameReader.unmask(buf.getByte(index + offset), mask, offset);
			offset++;
			if (b < 0x80 && state == ACCEPT) {
				// An ASCII byte between code points, near the end: nothing to look up.
				continue;
			}
			state = STATES[state + TYPES[b]];
			if (state == REJECT) {
				this.state = REJECT;
				return false;
			}
		}
		this.state = state;
		return true;
	}

	/** The message ended: true when it ended on a whole code point. Starts over for the next one. */
	boolean finish() {
		boolean complete = state == ACCEPT;
		state = ACCEPT;
		return complete;
	}
}
