package io.wsgate.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.it.TestBackend.Frame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;

/**
 * A real WebSocket client for integration tests: records every frame it receives (pings
 * included, never answered automatically) and the close status, and sends any frame.
 */
public final class TestClient implements AutoCloseable {

	public final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

	public final CompletableFuture<WebSocketCloseStatus> closeStatus = new CompletableFuture<>();

	public final CompletableFuture<Void> disconnected = new CompletableFuture<>();

	private final Connection connection;

	private final WebsocketOutbound out;

	private final HttpHeaders responseHeaders;

	private final String subprotocol;

	/** Answer pings with pongs (true by default, as real clients do). */
	public volatile boolean answerPings = true;

	private TestClient(Connection connection) {
		this.connection = connection;
		this.out = (WebsocketOutbound) connection;
		WebsocketInbound in = (WebsocketInbound) connection;
		this.responseHeaders = ((HttpClientResponse) connection).responseHeaders();
		this.subprotocol = in.selectedSubprotocol();
		in.receiveCloseStatus().subscribe(closeStatus::complete, closeStatus::completeExceptionally,
				() -> closeStatus.complete(null));
		connection.onDispose(() -> disconnected.complete(null));
		in.receiveFrames().subscribe(frame -> {
			frames.add(new Frame(TestBackend.type(frame), ByteBufUtil.getBytes(frame.content()), frame.isFinalFragment()));
			if (frame instanceof PingWebSocketFrame && answerPings) {
				// as browsers and client libraries do
				out.sendObject(Mono.just(new PongWebSocketFrame(frame.content().retain()))).then().subscribe(v -> { }, ex -> { });
			}
		}, ex -> { }, () -> { });
	}

	public static TestClient connect(String url) {
		return connect(url, Map.of(), null);
	}

	/** Opens a session; throws {@link HandshakeFailed} with the status when the handshake is refused. */
	public static TestClient connect(String url, Map<String, String> headers, String subprotocols) {
		return connect(url, headers, subprotocols, null);
	}

	/** Opens a session over wss:// with this client TLS context. */
	public static TestClient connect(String url, Map<String, String> headers, String subprotocols,
			io.netty.handler.ssl.SslContext tls) {
		return connect(url, headers, subprotocols, tls, false);
	}

	/**
	 * Opens a session that offers permessage-deflate (Reactor Netty's own compression, which also
	 * offers deflate-frame): frames are sent compressed when it is negotiated, and recorded inflated.
	 */
	public static TestClient connectCompressed(String url) {
		return connect(url, Map.of(), null, null, true);
	}

	private static TestClient connect(String url, Map<String, String> headers, String subprotocols,
			io.netty.handler.ssl.SslContext tls, boolean compress) {
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder().handlePing(true).maxFramePayloadLength(64 << 20)
			.compress(compress);
		if (subprotocols != null) {
			spec.protocols(subprotocols);
		}
		try {
			HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
			if (tls != null) {
				client = client.secure(ssl -> ssl.sslContext(tls));
			}
			Connection connection = client
				.headers(h -> headers.forEach(h::add))
				.websocket(spec.build())
				.uri(url)
				.connect()
				.block(Duration.ofSeconds(15));
			return new TestClient(connection);
		}
		catch (WebSocketClientHandshakeException ex) {
			throw new HandshakeFailed(ex.response() != null ? ex.response().status().code() : -1,
					ex.response() != null ? ex.response().headers() : null, ex);
		}
	}

	/** The handshake was answered with an HTTP status other than 101. */
	public static final class HandshakeFailed extends RuntimeException {

		public final int status;

		public final HttpHeaders headers;

		HandshakeFailed(int status, HttpHeaders headers, Throwable cause) {
			super("handshake failed with status " + status, cause);
			this.status = status;
			this.headers = headers;
		}
	}

	public HttpHeaders responseHeaders() {
		return responseHeaders;
	}

	public String subprotocol() {
		return subprotocol;
	}

	public void sendText(String text) {
		send(new TextWebSocketFrame(text));
	}

	public void sendBinary(byte[] data) {
		send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(data)));
	}

	public void send(WebSocketFrame... frames) {
		out.sendObject(Flux.fromArray(frames)).then().block(Duration.ofSeconds(10));
	}

	public void close(int code, String reason) {
		out.sendClose(code, reason).block(Duration.ofSeconds(5));
	}

	/** Drops the TCP connection without a close frame. */
	public void drop() {
		connection.channel().close();
	}

	public Frame nextFrame() throws InterruptedException {
		Frame frame = frames.poll(10, TimeUnit.SECONDS);
		if (frame == null) {
			throw new AssertionError("client received no frame within 10s");
		}
		return frame;
	}

	/** The next data frame's text, skipping pings and pongs (the gateway's keepalive among them). */
	public String nextText() throws InterruptedException {
		Frame frame = nextFrame();
		while (frame.type().equals("ping") || frame.type().equals("pong")) {
			frame = nextFrame();
		}
		return frame.text();
	}

	/** The close status the gateway sent, waiting up to the given time. */
	public WebSocketCloseStatus awaitClose(Duration timeout) throws Exception {
		return closeStatus.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	public List<Frame> drain() {
		List<Frame> list = new java.util.ArrayList<>();
		frames.drainTo(list);
		return list;
	}

	@Override
	public void close() {
		connection.dispose();
	}
}
