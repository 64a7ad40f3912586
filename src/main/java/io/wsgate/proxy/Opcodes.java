package io.wsgate.proxy;

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
final class Opcodes {

	static final int CONTINUATION = 0x0;

	static final int TEXT = 0x1;

	static final int BINARY = 0x2;

	static final int CLOSE = 0x8;

	static final int PING = 0x9;

	static final int PONG = 0xA;

	private Opcodes() {
	}

	static int of(WebSocketFrame frame) {
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
	static boolean isData(int opcode) {
		return opcode < 0x8;
	}
}
