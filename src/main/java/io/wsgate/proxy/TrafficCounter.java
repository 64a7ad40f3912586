package io.wsgate.proxy;

import io.micrometer.core.instrument.Counter;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.ServerMeters;

/**
 * Counts the data frames of one direction of one session, into the session's record and the
 * server's meters. Counting a frame is a type check and a few additions to plain fields; the sums
 * go to the meters (resolved once per session) when the session's timer ticks, at most a second
 * apart, and when the session ends. Both happen on the side's event loop, like the counting.
 */
final class TrafficCounter {

	private final SessionRecord.Traffic traffic;

	private final Counter textMessages;

	private final Counter binaryMessages;

	private final Counter textBytes;

	private final Counter binaryBytes;

	/** The type of the message that continuation frames belong to. */
	private boolean binary;

	private long unpublishedTextMessages;

	private long unpublishedBinaryMessages;

	private long unpublishedTextBytes;

	private long unpublishedBinaryBytes;

	TrafficCounter(SessionRecord.Traffic traffic, ServerMeters meters, Direction direction) {
		this.traffic = traffic;
		this.textMessages = meters.messages(direction, false);
		this.binaryMessages = meters.messages(direction, true);
		this.textBytes = meters.bytes(direction, false);
		this.binaryBytes = meters.bytes(direction, true);
	}

	/** Counts a frame of {@code size} payload bytes; control frames are not counted. */
	void count(int opcode, long size) {
		if (opcode == Opcodes.TEXT) {
			binary = false;
			unpublishedTextMessages++;
			traffic.messages++;
		}
		else if (opcode == Opcodes.BINARY) {
			binary = true;
			unpublishedBinaryMessages++;
			traffic.messages++;
		}
		else if (opcode != Opcodes.CONTINUATION) {
			return;
		}
		traffic.bytes += size;
		if (binary) {
			unpublishedBinaryBytes += size;
		}
		else {
			unpublishedTextBytes += size;
		}
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
