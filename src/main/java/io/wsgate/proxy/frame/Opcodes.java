package io.wsgate.proxy.frame;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * WebSocket opcodes (RFC 6455 5.2). The frame path works on opcodes so that a frame decoded by
 * Netty and a frame relayed as raw bytes are counted and limited by the same code.
 */
public final class Opcodes {

	public static final int CONTINUATION = 0x0;

	public static final int TEXT = 0x1;

	public static final int BINARY = 0x2;

	public static final int CLOSE = 0x8;

	public static final int PING = 0x9;

	public static final int PONG = 0xA;

	private Opcodes() {
	}

	public static int of(WebSocketFrame frame) {
		if (frame instanceof BinaryWebSocketFrame) {
			return BINARY;
		}
		if (frame instanceof TextWebSocketFrame) {
			return TEXT;
		}
		if (frame instanceof ContinuationWebSocketFrame) {
			return CONTINUATION;
		}
		if (frame instanceof PingWebSocketFrame) {
			return PING;
		}
		return (frame instanceof CloseWebSocketFrame) ? CLOSE : PONG;
	}

	/** Text, binary and continuation frames carry messages; the others are control frames. */
	public static boolean isData(int opcode) {
		return opcode < 0x8;
	}
}
