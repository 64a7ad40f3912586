package io.wsgate.proxy.frame;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.jspecify.annotations.Nullable;

/**
 * Reads one side's frames in place of Netty's WebSocket decoder once the session runs, and relays
 * them as the bytes they arrived in: a run of whole frames read together goes to the other side in
 * one write, with no frame object and no re-encoding. That is valid on the wire because the gateway
 * negotiates no extension of its own with either side: a client's frames are masked (as frames
 * towards a server must be) and a backend's are not (as frames towards a client must not be). The
 * one extension it lets the endpoints negotiate, permessage-deflate, changes only payloads and RSV1,
 * which the relay passes on untouched; its compression state lives in the endpoints and stays in
 * step because every data frame is relayed unchanged and in order.
 *
 * <p>The run is copied once, into a buffer of its own size, rather than sliced out of the read
 * buffer: a slice would keep the whole read buffer, and the allocator's chunk around it, for as long
 * as the other side takes to read it. With a slow reader that multiplied the direct memory in use
 * (bench/README); a copy of contiguous bytes costs little next to the two copies, the unmasking and
 * the frame objects of Netty's codec.
 *
 * <p>Every frame is still checked as Netty's decoder and UTF-8 validator check it (the same close
 * codes for the same faults: 1002, 1007, 1009), counted, and held to the message size limit, through
 * the side's {@link FrameForwarder}. Pongs that answer the gateway's own pings stay here; close
 * frames are decoded and go on to Reactor Netty, where the session sees the side close. Frames are only
 * relayed whole, so a ping the gateway injects never lands inside one.
 *
 * <p>A client message rate ({@link MessageRateLimit}) is asked at the first frame of each message.
 * When the message is not yet due, the frames before it are relayed, the reader stops there and
 * holds it (and everything after it) unread in its buffer, reading from the socket stops, and a
 * timer on the event loop resumes decoding where it stopped when a token is due: nothing is lost or
 * reordered. What was read in the same read batch stays held with it, so the gateway holds at most
 * one read batch per paused client.
 */
final class RawFrameReader extends ByteToMessageDecoder {

	/** RSV1 as Netty's frames give it ({@code WebSocketFrame.rsv()}): permessage-deflate's "compressed". */
	static final int RSV1 = 4;

	/** RSV1 in a frame's first byte. */
	private static final int RSV1_BIT = 0x40;

	/**
	 * Where the frames go: {@link FrameForwarder} in the gateway.
	 */
	interface Sink {

		/** Whether to relay a frame of {@code size} payload bytes (see {@link FrameForwarder#admit}). */
		boolean admit(int opcode, boolean fin, long size, boolean keepaliveEcho);

		/** Takes a run of whole frames, as bytes, and the reference to them. */
		void relay(ByteBuf frames);

		/**
		 * Asked at the first frame of each data message: 0 to go on (a message rate's token is
		 * taken), or the nanoseconds until it is due; the reader holds it that long.
		 */
		default long messageDelay() {
			return 0;
		}

		/** Reading stops: a message is held until its rate allows it. */
		default void pauseReading() {
		}

		/** The held message went on: reading may resume. */
		default void resumeReading() {
		}
	}

	private final Sink forwarder;

	private final boolean expectMasked;

	private final long maxFramePayload;

	/** permessage-deflate was negotiated: RSV1 may mark the first frame of a message. */
	private final boolean deflate;

	private final Utf8Check utf8 = new Utf8Check();

	/** A fragmented message is under way. */
	private boolean midMessage;

	/**
	 * The message under way is uncompressed text (its frames are checked as UTF-8). Compressed text
	 * is only text once inflated, which the endpoints do and check.
	 */
	private boolean textMessage;

	/** A close frame or a protocol error was read: whatever follows is discarded. */
	private boolean done;

	/** A message waits for its rate: decoding stops at it until the timer resumes it. */
	private boolean held;

	/**
	 * @param forwarder counts, limits and writes this side's frames
	 * @param expectMasked true for the client (whose frames must be masked), false for the backend
	 * @param maxFramePayload the largest frame payload accepted (1009 beyond)
	 * @param deflate whether permessage-deflate was negotiated (RSV1 allowed where RFC 7692 puts it)
	 */
	RawFrameReader(Sink forwarder, boolean expectMasked, long maxFramePayload, boolean deflate) {
		this.forwarder = forwarder;
		this.expectMasked = expectMasked;
		this.maxFramePayload = maxFramePayload;
		this.deflate = deflate;
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		if (done) {
			in.skipBytes(in.readableBytes());
			return;
		}
		if (held) {
			return;
		}
		// The frames from here to the reader index are relayed together, in one write.
		int runStart = in.readerIndex();
		while (true) {
			int start = in.readerIndex();
			int readable = in.readableBytes();
			if (readable < 2) {
				break;
			}
			int first = in.getUnsignedByte(start);
			int second = in.getUnsignedByte(start + 1);
			boolean fin = (first & 0x80) != 0;
			int opcode = first & 0x0F;
			String fault = headerFault(first, second, expectMasked, midMessage, deflate);
			if (fault != null) {
				throw violation(ctx, in, runStart, WebSocketCloseStatus.PROTOCOL_ERROR, fault);
			}
			int headerLength = 2;
			long payloadLength = second & 0x7F;
			if (payloadLength == 126) {
				if (readable < 4) {
					break;
				}
				payloadLength = in.getUnsignedShort(start + 2);
				headerLength = 4;
				if (payloadLength < 126) {
					throw violation(ctx, in, runStart, WebSocketCloseStatus.PROTOCOL_ERROR,
							"invalid data frame length (not using minimal length encoding)");
				}
			}
			else if (payloadLength == 127) {
				if (readable < 10) {
					break;
				}
				payloadLength = in.getLong(start + 2);
				headerLength = 10;
				if (payloadLength < 65536) {
					throw violation(ctx, in, runStart, WebSocketCloseStatus.PROTOCOL_ERROR, (payloadLength < 0)
							? "invalid data frame length (negative length)"
							: "invalid data frame length (not using minimal length encoding)");
				}
			}
			if (payloadLength > maxFramePayload) {
				throw violation(ctx, in, runStart, WebSocketCloseStatus.MESSAGE_TOO_BIG,
						"Max frame length of " + maxFramePayload + " has been exceeded.");
			}
			int mask = 0;
			if ((second & 0x80) != 0) {
				if (readable < headerLength + 4) {
					break;
				}
				mask = in.getInt(start + headerLength);
				headerLength += 4;
			}
			if (readable < headerLength + payloadLength) {
				// The rest of the frame is still to come.
				break;
			}
			if (opcode == Opcodes.TEXT || opcode == Opcodes.BINARY) {
				long delay = forwarder.messageDelay();
				if (delay > 0) {
					relay(in, runStart, start);
					hold(ctx, delay);
					return;
				}
			}
			int payloadIndex = start + headerLength;
			int length = (int) payloadLength;
			int end = payloadIndex + length;
			if (opcode == Opcodes.CLOSE) {
				relay(in, runStart, start);
				done = true;
				out.add(closeFrame(ctx, in, payloadIndex, length, mask, end));
				in.skipBytes(in.readableBytes());
				return;
			}
			if (Opcodes.isData(opcode)) {
				if (opcode != Opcodes.CONTINUATION) {
					textMessage = opcode == Opcodes.TEXT && (first & RSV1_BIT) == 0;
				}
				if (textMessage && (!utf8.update(in, payloadIndex, length, mask) || (fin && !utf8.finish()))) {
					throw violation(ctx, in, runStart, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8");
				}
				midMessage = !fin;
			}
			boolean keepaliveEcho = opcode == Opcodes.PONG
					&& Keepalive.isEcho(in, payloadIndex, length, mask);
			if (!forwarder.admit(opcode, fin, length, keepaliveEcho)) {
				relay(in, runStart, start);
				runStart = end;
			}
			in.readerIndex(end);
		}
		relay(in, runStart, in.readerIndex());
	}

	/** Stops at the message that starts at the reader index, for {@code nanos}. */
	private void hold(ChannelHandlerContext ctx, long nanos) {
		held = true;
		forwarder.pauseReading();
		ctx.executor().schedule(() -> resume(ctx), nanos, TimeUnit.NANOSECONDS);
	}

	/** Decodes what was held, as if it had just been read, then lets reading go on unless held again. */
	private void resume(ChannelHandlerContext ctx) {
		held = false;
		if (ctx.isRemoved() || done) {
			return;
		}
		try {
			channelRead(ctx, Unpooled.EMPTY_BUFFER);
		}
		catch (Exception ex) {
			// As the pipeline does for a read: the forwarder hears of it (the side was already sent its close).
			ctx.fireExceptionCaught(ex);
		}
		channelReadComplete(ctx);
		if (!held) {
			forwarder.resumeReading();
		}
	}

	/**
	 * Reading pauses when the other side cannot take more (see {@link FrameForwarder}): unlike
	 * {@link ByteToMessageDecoder}, do not ask for another read because no message came out.
	 */
	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		discardSomeReadBytes();
		ctx.fireChannelReadComplete();
	}

	/**
	 * What is wrong with a frame's first two bytes (null: nothing): the checks of Netty's decoder, in its
	 * words, and the reserved bits as {@link #rsvFault} allows them.
	 */
	static @Nullable String headerFault(int first, int second, boolean expectMasked, boolean midMessage, boolean deflate) {
		boolean fin = (first & 0x80) != 0;
		int opcode = first & 0x0F;
		int length = second & 0x7F;
		String rsvFault = rsvFault((first & 0x70) >> 4, opcode, deflate);
		if (rsvFault != null) {
			return rsvFault;
		}
		if (((second & 0x80) != 0) != expectMasked) {
			return "received a frame that is not masked as expected";
		}
		if (!Opcodes.isData(opcode)) {
			if (!fin) {
				return "fragmented control frame";
			}
			if (length > 125) {
				return "control frame with payload length > 125 octets";
			}
			if (opcode != Opcodes.CLOSE && opcode != Opcodes.PING && opcode != Opcodes.PONG) {
				return "control frame using reserved opcode " + opcode;
			}
			if (opcode == Opcodes.CLOSE && length == 1) {
				return "received close control frame with payload len 1";
			}
			return null;
		}
		if (opcode != Opcodes.CONTINUATION && opcode != Opcodes.TEXT && opcode != Opcodes.BINARY) {
			return "data frame using reserved opcode " + opcode;
		}
		if (!midMessage && opcode == Opcodes.CONTINUATION) {
			return "received continuation data frame outside fragmented message";
		}
		if (midMessage && opcode != Opcodes.CONTINUATION) {
			return "received non-continuation data frame while inside fragmented message";
		}
		return null;
	}

	/**
	 * What is wrong with a frame's reserved bits ({@code rsv}: RSV1 is 4, as in Netty's frames), or
	 * null. Without an extension, none may be set. permessage-deflate (RFC 7692 6.1) uses RSV1 on the
	 * first frame of a compressed message and nowhere else; no extension the gateway lets through
	 * uses RSV2 or RSV3.
	 */
	static @Nullable String rsvFault(int rsv, int opcode, boolean deflate) {
		if (rsv == 0) {
			return null;
		}
		if (!deflate) {
			return "RSV != 0 and no extension negotiated, RSV:" + rsv;
		}
		if (rsv != RSV1) {
			return "RSV2 or RSV3 set with permessage-deflate, RSV:" + rsv;
		}
		if (!Opcodes.isData(opcode)) {
			return "RSV1 set on a control frame";
		}
		if (opcode == Opcodes.CONTINUATION) {
			return "RSV1 set on a continuation frame";
		}
		return null;
	}

	/** The payload byte at {@code offset} XORed with its byte of a frame's 4-byte mask. */
	static int unmask(int payloadByte, int mask, int offset) {
		return (payloadByte ^ (mask >>> (24 - ((offset & 3) << 3)))) & 0xFF;
	}

	/** Decodes a close frame for Reactor Netty, checked as Netty checks it. */
	private CloseWebSocketFrame closeFrame(ChannelHandlerContext ctx, ByteBuf in, int index, int length, int mask,
			int end) {
		ByteBuf payload = ctx.alloc().buffer(length);
		for (int i = 0; i < length; i++) {
			payload.writeByte(unmask(in.getByte(index + i), mask, i));
		}
		in.readerIndex(end);
		if (length >= 2) {
			int code = payload.getShort(0);
			@Nullable String fault = null;
			WebSocketCloseStatus status = WebSocketCloseStatus.PROTOCOL_ERROR;
			if (!WebSocketCloseStatus.isValidStatusCode(code)) {
				fault = "Invalid close frame getStatus code: " + code;
			}
			else if (!utf8.update(payload, 2, length - 2, 0) || !utf8.finish()) {
				status = WebSocketCloseStatus.INVALID_PAYLOAD_DATA;
				fault = "bytes are not UTF-8";
			}
			if (fault != null) {
				payload.release();
				throw violation(ctx, in, in.readerIndex(), status, fault);
			}
		}
		return new CloseWebSocketFrame(true, 0, payload);
	}

	/**
	 * A protocol error, handled as Netty's decoder handles it: the frames read before it are relayed,
	 * the rest is discarded, the side gets a close frame with the code and is disconnected; the
	 * exception returned (to throw) reaches the side's {@link FrameForwarder}, which tells the session.
	 */
	private CorruptedWebSocketFrameException violation(ChannelHandlerContext ctx, ByteBuf in, int runStart,
			WebSocketCloseStatus status, String reason) {
		relay(in, runStart, in.readerIndex());
		done = true;
		in.skipBytes(in.readableBytes());
		if (ctx.channel().isActive()) {
			ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
		}
		return new CorruptedWebSocketFrameException(status, reason);
	}

	private void relay(ByteBuf in, int from, int to) {
		if (to > from) {
			// A copy, not a slice: see the class comment.
			forwarder.relay(in.copy(from, to - from));
		}
	}
}
