package io.wsgate.proxy.frame;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

/**
 * The one place that puts the gateway's handlers in a session's two channels. After its upgrade a
 * client channel has Netty's frame decoder and encoder in front of Reactor Netty's bridge to the
 * session ({@code reactor.right.reactiveBridge}, always last); a backend channel, which the gateway
 * dials on plain Netty, has them in front of its {@link RelayEnd} ({@link #BACKEND_END}, always
 * last). The gateway adds, in this order, from the network:
 * <pre>
 * client:  frame encoder | frame decoder | DecodedFrameCheck | [FirstMessageReader] | FrameForwarder(up) | reactive bridge
 * backend: frame encoder | frame decoder | DecodedFrameCheck | FrameForwarder(down) | backend end
 * </pre>
 * (the backend's encoder put in front of the decoder, where Netty's client handshaker has it behind),
 * and once a side's first whole message has been forwarded, its decoder and {@code DecodedFrameCheck}
 * give way to a {@link RawFrameReader}:
 * <pre>
 * either:  frame encoder | RawFrameReader | FrameForwarder | reactive bridge or backend end
 * </pre>
 * Each side's frames go from its forwarder straight into the other side's channel: decoded frames
 * at the pipeline's tail, raw bytes in front of its frame encoder. Close frames go on to the last
 * handler, where the session hears the side's close.
 */
public final class FramePath {

	/**
	 * The last handler of a backend channel (the gateway's client connection, on plain Netty), where
	 * a client channel has Reactor Netty's bridge: the gateway's handlers go in front of either.
	 */
	public static final String BACKEND_END = "wsgate.backendEnd";

	/** Netty's WebSocket frame decoder, as Netty's handshakers name it. */
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
	public static void backendConnected(Channel backend, boolean deflate) {
		ChannelPipeline pipeline = backend.pipeline();
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
		addLast(backend, FRAME_CHECK, new DecodedFrameCheck(deflate));
	}

	/**
	 * One side of a relay.
	 *
	 * @param end its connection
	 * @param events the session, told what this side does that ends it
	 * @param counter counts the frames it sends
	 * @param maxMessageSize the limit on its messages (-1 = unlimited)
	 */
	public record Side(RelayEnd end, FrameEvents events, FrameCounter counter, long maxMessageSize) {
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
		Channel clientChannel = client.end().channel();
		Channel backendChannel = backend.end().channel();
		FrameForwarder up = new FrameForwarder(clientChannel, backendChannel, client.events(), client.counter(),
				client.maxMessageSize(), true, deflate, clientRate);
		FrameForwarder down = new FrameForwarder(backendChannel, clientChannel, backend.events(), backend.counter(),
				backend.maxMessageSize(), false, deflate, null);
		addLast(clientChannel, FRAME_FORWARDER, up);
		addLast(backendChannel, FRAME_FORWARDER, down);
		FrameForwarder.pair(up, down, frameEncoder(clientChannel), frameEncoder(backendChannel));
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
	private static ChannelHandlerContext frameEncoder(Channel channel) {
		return channel.pipeline().context(WebSocketFrameEncoder.class);
	}

	/** Adds a handler in front of the channel's last one: Reactor Netty's bridge, or the backend's end. */
	private static void addLast(Channel channel, String name, ChannelHandler handler) {
		ChannelPipeline pipeline = channel.pipeline();
		if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
			pipeline.addBefore(NettyPipeline.ReactiveBridge, name, handler);
		}
		else if (pipeline.get(BACKEND_END) != null) {
			pipeline.addBefore(BACKEND_END, name, handler);
		}
		else {
			pipeline.addLast(name, handler);
		}
	}
}
