package io.wsgate.proxy.frame;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;

/**
 * The gateway's own pings (a side silent for {@code pingInterval} is pinged), and how their echoes
 * are told apart: the pongs that answer them carry the same payload and are not forwarded.
 */
public final class Keepalive {

	private static final ByteBuf PAYLOAD = Unpooled.unreleasableBuffer(
			Unpooled.wrappedBuffer("wsgate-keepalive".getBytes(StandardCharsets.US_ASCII)));

	private Keepalive() {
	}

	/** A ping with the gateway's payload. */
	public static PingWebSocketFrame ping() {
		return new PingWebSocketFrame(PAYLOAD.duplicate());
	}

	/**
	 * Whether a pong's payload, {@code length} bytes at {@code index} XORed with {@code mask} (0 when
	 * unmasked), echoes the gateway's ping.
	 */
	static boolean isEcho(ByteBuf buf, int index, int length, int mask) {
		if (length != PAYLOAD.readableBytes()) {
			return false;
		}
		for (int i = 0; i < length; i++) {
			if (RawFrameReader.unmask(buf.getByte(index + i), mask, i) != PAYLOAD.getUnsignedByte(i)) {
				return false;
			}
		}
		return true;
	}
}
