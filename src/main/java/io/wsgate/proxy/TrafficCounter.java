package io.wsgate.proxy;

import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.ServerMeters;

/**
 * Counts the data frames of one direction of one session, into the session's record and the
 * server's meters. The counters are resolved once per session, so a frame costs a type check and
 * a few additions, no lookup and no allocation.
 */
final class TrafficCounter {

	private final SessionRecord.Traffic traffic;

	private final Counter textMessages;

	private final Counter binaryMessages;

	private final Counter textBytes;

	private final Counter binaryBytes;

	/** The type of the message that continuation frames belong to. */
	private boolean binary;

	TrafficCounter(SessionRecord.Traffic traffic, ServerMeters meters, Direction direction) {
		this.traffic = traffic;
		this.textMessages = meters.messages(direction, false);
		this.binaryMessages = meters.messages(direction, true);
		this.textBytes = meters.bytes(direction, false);
		this.binaryBytes = meters.bytes(direction, true);
	}

	void count(WebSocketFrame frame) {
		int size = frame.content().readableBytes();
		if (frame instanceof TextWebSocketFrame) {
			binary = false;
			textMessages.increment();
			traffic.messages++;
		}
		else if (frame instanceof BinaryWebSocketFrame) {
			binary = true;
			binaryMessages.increment();
			traffic.messages++;
		}
		else if (!(frame instanceof ContinuationWebSocketFrame)) {
			return;
		}
		traffic.bytes += size;
		(binary ? binaryBytes : textBytes).increment(size);
	}
}
