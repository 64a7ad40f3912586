package io.wsgate.proxy.session;

import io.micrometer.core.instrument.Counter;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.ServerMeters;
import io.wsgate.proxy.frame.FrameCounter;
import io.wsgate.proxy.frame.Opcodes;

/**
 * Counts the data frames of one direction of one session: the totals for the session's summary,
 * and the server's meters. Counting a frame is a type check and a few additions to plain fields; the
 * sums go to the meters (resolved once per session) when the session's timer ticks, at most a
 * second apart, and when the session ends. Both happen on the side's event loop, like the counting.
 */
final class TrafficCounter implements FrameCounter {

	private final Counter textMessages;

	private final Counter binaryMessages;

	private final Counter textBytes;

	private final Counter binaryBytes;

	/** The type of the message that continuation frames belong to. */
	private boolean binary;

	/** Totals for the summary: written on the side's loop, read once the session has ended. */
	private long messages;

	private long bytes;

	private long unpublishedTextMessages;

	private long unpublishedBinaryMessages;

	private long unpublishedTextBytes;

	private long unpublishedBinaryBytes;

	TrafficCounter(ServerMeters meters, Direction direction) {
		this.textMessages = meters.messages(direction, false);
		this.binaryMessages = meters.messages(direction, true);
		this.textBytes = meters.bytes(direction, false);
		this.binaryBytes = meters.bytes(direction, true);
	}

	/** Counts a frame of {@code size} payload bytes; control frames are not counted. */
	@Override
	public void count(int opcode, long size) {
		if (opcode == Opcodes.TEXT) {
			binary = false;
			unpublishedTextMessages++;
			messages++;
		}
		else if (opcode == Opcodes.BINARY) {
			binary = true;
			unpublishedBinaryMessages++;
			messages++;
		}
		else if (opcode != Opcodes.CONTINUATION) {
			return;
		}
		bytes += size;
		if (binary) {
			unpublishedBinaryBytes += size;
		}
		else {
			unpublishedTextBytes += size;
		}
	}

	long messages() {
		return messages;
	}

	long bytes() {
		return bytes;
	}

	/** Adds what was counted since the last call to the meters. */
	void publish() {
		unpublishedTextMessages = add(textMessages, unpublishedTextMessages);
		unpublishedBinaryMessages = add(binaryMessages, unpublishedBinaryMessages);
		unpublishedTextBytes = add(textBytes, unpublishedTextBytes);
		unpublishedBinaryBytes = add(binaryBytes, unpublishedBinaryBytes);
	}

	private static long add(Counter counter, long amount) {
		if (amount != 0) {
			counter.increment(amount);
		}
		return 0;
	}
}
