package io.wsgate.proxy.frame;

/**
 * Enforces a maximum message size across the frames of a fragmented message, without buffering
 * it: frames are forwarded as they come and only their lengths are added up. A single frame over
 * the limit is already refused by the frame decoder (Netty's, then {@link RawFrameReader}), which
 * is given the same limit.
 */
public final class MessageSizeLimit {

	private final long limit;

	private long messageBytes;

	/** @param limit max bytes of one message; -1 = unlimited */
	MessageSizeLimit(long limit) {
		this.limit = limit;
	}

	/** Netty's per-frame limit for this message limit. */
	public static int frameLimit(long limit) {
		return (limit < 0 || limit > Integer.MAX_VALUE) ? Integer.MAX_VALUE : (int) Math.max(limit, 1);
	}

	/** Counts a frame of {@code size} payload bytes; false once its message is over the limit. */
	boolean admits(int opcode, long size) {
		if (limit < 0) {
			return true;
		}
		if (opcode == Opcodes.TEXT || opcode == Opcodes.BINARY) {
			messageBytes = size;
		}
		else if (opcode == Opcodes.CONTINUATION) {
			messageBytes += size;
		}
		else {
			return true;
		}
		return messageBytes <= limit;
	}

	long limit() {
		return limit;
	}
}
