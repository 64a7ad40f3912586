package io.wsgate.proxy.frame;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;

/**
 * The one place that puts the gateway's handlers in a session's two channels. Reactor Netty's
 * upgrade leaves each channel with Netty's frame decoder and encoder in front of Reactor Netty's
 * bridge to the session ({@code reactor.right.reactiveBridge}, always last); the gateway adds, in
 * this order, from the network:
 * <pre>
 * client:  frame encoder | frame decoder | DecodedFrameCheck | [FirstMessageReader] | FrameForwarder(up) | reactive bridge
 * backend: frame encoder | frame decoder | DecodedFrameCheck | FrameForwarder(down) | reactive bridge
 * </pre>
 * (the backend's encoder put in front of the decoder, where Netty's client has it behind), and once a
 * side's first whole message has been forwarded, its decoder and {@code DecodedFrameCheck} give way
 * to a {@link RawFrameReader}:
 * <pre>
 * either:  frame encoder | RawFrameReader | FrameForwarder | reactive bridge
 * </pre>
 * Each side's frames go from its forwarder straight into the other side's channel: decoded frames
 * at the pipeline's tail, raw bytes in front of its frame encoder.
 */
public final class FramePath {

	/** Netty's WebSocket frame decoder, as Reactor Netty names it. */
	private static final String NETTY_DECODER = "ws-decoder";

	private static final String FRAME_CHECK = "wsgate.frameCheck";

	private static final String FIRST_MESSAGE_READER = "wsgate.firstMessageReader";

	private static final String FRAME_FORWARDER = "wsgate.frameForwarder";

	private static final String RAW_FRAME_READER = "wsgate.rawFrameReader";

	private FramePath() {
	}

	/** The client was upgraded: its decoded frames are checked until the raw reader takes over. */
	public static void clientUpgraded(Connection client, boolean deflate) {
		client.addHandlerLast(FRAME_CHECK, new DecodedFrameCheck(deflate));
	}

	/** The client's first message is read by {@code reader} before the session relays. */
	public static void readFirstMessage(Connection client, ChannelHandler reader) {
		client.addHandlerLast(FIRST_MESSAGE_READER, reader);
	}

	/** The backend answered its handshake: its frames are checked, and its protocol violations answered. */
	public static void backendConnected(Connection backend, boolean deflate) {
		ChannelPipeline pipeline = backend.channel().pipeline();
		ChannelHandlerContext encoder = pipeline.context(WebSocketFrameEncoder.class);
		if (pipeline.get(NETTY_DECODER) != null && encoder != null) {
			// Netty's client puts its frame encoder behind the decoder, so the close frame the
			// decoder (and later the RawFrameReader in its place) sends on a protocol violation (1009
			// for a frame over serverMaxMsgSize) would never be encoded and the backend would only
			// see the connection drop. One in front of the decoder encodes those and everything
			// written from the tail alike, as on the client's side: it replaces Netty's (a handler
			// is added once), the same masking encoder.
			String name = encoder.name();
			pipeline.remove(name);
			pipeline.addBefore(NETTY_DECODER, name, new WebSocket13FrameEncoder(true));
		}
		backend.addHandlerLast(FRAME_CHECK, new DecodedFrameCheck(deflate));
	}

	/**
	 * One side of a relay.
	 *
	 * @param connection its connection
	 * @param events the session, told what this side does that ends it
	 * @param counter counts the frames it sends
	 * @param maxMessageSize the limit on its messages (-1 = unlimited)
	 */
	public record Side(Connection connection, FrameEvents events, FrameCounter counter, long maxMessageSize) {
	}

	/** The forwarders of a session, one per direction. */
	public record Forwarders(FrameForwarder up, FrameForwarder down) {
	}

	/**
	 * Puts a forwarder in each side's pipeline: from then on frames go from one channel to the other
	 * without Reactor Netty, which sees only closes (and frames it read before, see
	 * {@link FrameForwarder#forwardEarly}).
	 *
	 * @param deflate whether the endpoints negotiated permessage-deflate
	 * @param clientRate the client's message rates, null when it has none
	 */
	public static Forwarders relay(Side client, Side backend, boolean deflate,
			@Nullable MessageRateLimit clientRate) {
		FrameForwarder up = new FrameForwarder(client.connection().channel(), backend.connection().channel(),
				client.events(), client.counter(), client.maxMessageSize(), true, deflate, clientRate);
		FrameForwarder down = new FrameForwarder(backend.connection().channel(), client.connection().channel(),
				backend.events(), backend.counter(), backend.maxMessageSize(), false, deflate, null);
		client.connection().addHandlerLast(FRAME_FORWARDER, up);
		backend.connection().addHandlerLast(FRAME_FORWARDER, down);
		FrameForwarder.pair(up, down, frameEncoder(client.connection()), frameEncoder(backend.connection()));
		return new Forwarders(up, down);
	}

	/**
	 * Replaces Netty's frame decoder with {@code reader}, and drops the {@link DecodedFrameCheck},
	 * whose checks the reader makes. Called as the decoder hands over a frame that leaves no message
	 * open: the decoder is between two frames, and what it buffered of the next ones goes to the
	 * reader when it is removed.
	 */
	static void readRawFromNowOn(ChannelPipeline pipeline, RawFrameReader reader) {
		ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
		if (decoder == null) {
			return;
		}
		if (pipeline.get(DecodedFrameCheck.class) != null) {
			pipeline.remove(DecodedFrameCheck.class);
		}
		pipeline.replace(decoder.handler(), RAW_FRAME_READER, reader);
	}

	/** A side's frame encoder nearest the network, where the other side's raw frames are written. */
	private static ChannelHandlerContext frameEncoder(Connection connection) {
		return connection.channel().pipeline().context(WebSocketFrameEncoder.class);
	}
}
