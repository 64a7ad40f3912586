package io.wsgate.proxy.frame;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Checks the frames Netty's decoder hands over, until a {@link RawFrameReader} takes its place, for
 * what the decoder leaves out. Reactor Netty builds the decoder allowing every reserved bit (on both
 * sides, whatever was negotiated), so the bits are held to {@link RawFrameReader#rsvFault} here
 * (1002); then Netty's UTF-8 validator checks text (1007), except the frames of a compressed
 * message: those bytes are deflate's output, and the endpoints check the text they inflate.
 */
final class DecodedFrameCheck extends ChannelInboundHandlerAdapter {

	private final Utf8FrameValidator utf8 = new Utf8FrameValidator(true);

	private final boolean deflate;

	/** The message under way is compressed (its first frame had RSV1). */
	private boolean compressed;

	/** A protocol error was found: whatever the decoder still hands over is dropped. */
	private boolean failed;

	/** @param deflate whether permessage-deflate was negotiated */
	DecodedFrameCheck(boolean deflate) {
		this.deflate = deflate;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (!(msg instanceof WebSocketFrame frame)) {
			ctx.fireChannelRead(msg);
			return;
		}
		if (failed) {
			frame.release();
			return;
		}
		int opcode = Opcodes.of(frame);
		String fault = RawFrameReader.rsvFault(frame.rsv(), opcode, deflate);
		if (fault != null) {
			// As Netty's decoder handles a protocol error: close frame, disconnect, exception to the forwarder.
			failed = true;
			frame.release();
			ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR, fault))
				.addListener(ChannelFutureListener.CLOSE);
			throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, fault);
		}
		if (opcode == Opcodes.TEXT || opcode == Opcodes.BINARY) {
			compressed = frame.rsv() != 0;
		}
		if (compressed && Opcodes.isData(opcode)) {
			ctx.fireChannelRead(frame);
		}
		else {
			try {
				// Netty's validator passes the frame on through this handler's context.
				utf8.channelRead(ctx, frame);
			}
			catch (CorruptedWebSocketFrameException ex) {
				failed = true;
				throw ex;
			}
		}
	}
}
