package io.wsgate.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A real WebSocket backend on 127.0.0.1 for integration tests: echoes data frames, answers pings
 * with pongs, records every handshake and every session, and can refuse, close or drop on request.
 */
public final class TestBackend implements AutoCloseable {

	/** What the backend saw of one handshake. */
	public record Handshake(String uri, HttpHeaders headers) {
	}

	/** One WebSocket session on the backend. */
	public static final class Session {

		final WebsocketOutbound out;

		final Connection connection;

		/** The path and query of the session's handshake. */
		public final String uri;

		public final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

		public final CompletableFuture<WebSocketCloseStatus> closeStatus = new CompletableFuture<>();

		/** Completes when the connection is gone; true if it ended without any close frame received. */
		public final CompletableFuture<Void> disconnected = new CompletableFuture<>();

		Session(WebsocketOutbound out, Connection connection, String uri) {
			this.out = out;
			this.connection = connection;
			this.uri = uri;
		}

		public Frame nextFrame() throws InterruptedException {
			Frame frame = frames.poll(10, TimeUnit.SECONDS);
			if (frame == null) {
				throw new AssertionError("backend received no frame within 10s");
			}
			return frame;
		}

		public void close(int code, String reason) {
			out.sendClose(code, reason).block(Duration.ofSeconds(5));
		}

		public void send(WebSocketFrame frame) {
			out.sendObject(Mono.just(frame)).then().block(Duration.ofSeconds(5));
		}

		/** Stops reading from the gateway: the backend hangs, answering nothing, not even pings. */
		public void freeze() {
			connection.channel().config().setAutoRead(false);
		}

		/** Drops the TCP connection without a close frame. */
		public void drop() {
			connection.channel().close();
		}
	}

	/** A received frame, copied. */
	public record Frame(String type, byte[] data, boolean last) {

		public String text() {
			return new String(data, StandardCharsets.UTF_8);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Frame f && type.equals(f.type) && java.util.Arrays.equals(data, f.data) && last == f.last;
		}

		@Override
		public int hashCode() {
			return type.hashCode() * 31 + java.util.Arrays.hashCode(data);
		}

		@Override
		public String toString() {
			return type + (last ? "" : "(more)") + "[" + (data.length > 64 ? data.length + " bytes" : text()) + "]";
		}
	}

	public final List<Handshake> handshakes = new CopyOnWriteArrayList<>();

	public final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();

	private volatile DisposableServer server;

	private volatile int httpStatus = 200;

	private volatile String httpBody = "ok";

	private volatile int refuseStatus;

	private volatile Map<String, String> responseHeaders = Map.of();

	private volatile boolean selectFirstSubprotocol;

	private volatile boolean compress;

	private volatile boolean echo = true;

	private volatile boolean read = true;

	private volatile List<String> greeting = List.of();

	/** Closes each session with this code right after its greeting; 0: does not. */
	private volatile int farewellCode;

	private volatile String farewellReason = "";

	private final io.netty.handler.ssl.SslContext tls;

	private final String host;

	public TestBackend() {
		this((io.netty.handler.ssl.SslContext) null);
	}

	/** A wss:// backend with this server TLS context (which may require client certificates). */
	public TestBackend(io.netty.handler.ssl.SslContext tls) {
		this("127.0.0.1", 0, tls);
	}

	/**
	 * A ws:// backend on another loopback address (Linux routes all of 127/8 to lo), on this port or
	 * any (0): backends of one DNS name share a port on several addresses.
	 */
	public TestBackend(String host, int port) {
		this(host, port, null);
	}

	/** A backend on this loopback address and port (0: any), wss:// with this TLS context unless null. */
	public TestBackend(String host, int port, io.netty.handler.ssl.SslContext tls) {
		this.tls = tls;
		this.host = host;
		this.server = bind(port);
		this.port = server.port();
	}

	private DisposableServer bind(int port) {
		HttpServer http = HttpServer.create().host(host).port(port);
		if (tls != null) {
			http = http.secure(spec -> spec.sslContext(tls));
		}
		return http.handle((req, res) -> {
			handshakes.add(new Handshake(req.uri(), req.requestHeaders().copy()));
			if (!"websocket".equalsIgnoreCase(req.requestHeaders().get("Upgrade"))) {
				return res.status(httpStatus).sendString(Mono.just(httpBody)).then();
			}
			if (refuseStatus != 0) {
				return res.status(refuseStatus).header("X-Refused-By", "backend").sendString(Mono.just("refused")).then();
			}
			responseHeaders.forEach(res::addHeader);
			WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder().handlePing(true).maxFramePayloadLength(64 << 20)
				.compress(compress);
			String offered = req.requestHeaders().get("Sec-WebSocket-Protocol");
			if (selectFirstSubprotocol && offered != null) {
				spec.protocols(offered.split(",")[0].trim());
			}
			return res.sendWebsocket((in, out) -> session(in, out, req.uri()), spec.build());
		}).bindNow();
	}

	/** Answer plain HTTP requests (health checks) with this status and body. */
	public TestBackend answerHttp(int status, String body) {
		this.httpStatus = status;
		this.httpBody = body;
		return this;
	}

	/** Closes the listening port (new connections are refused); established sessions stay until dropped. */
	public void stop() {
		server.disposeNow(Duration.ofSeconds(5));
	}

	/** Listens again on the same port. */
	public void restart() {
		this.server = bind(port);
	}

	private Mono<Void> session(WebsocketInbound in, WebsocketOutbound out, String uri) {
		Session session = new Session(out, (Connection) in, uri);
		in.receiveCloseStatus().subscribe(session.closeStatus::complete);
		((Connection) in).onDispose(() -> session.disconnected.complete(null));
		sessions.add(session);
		if (!read) {
			// Never read: stop the channel's reads so TCP back-pressures the gateway.
			((Connection) in).channel().config().setAutoRead(false);
			return Sinks.empty().asMono().then();
		}
		Flux<WebSocketFrame> greet = Flux.fromIterable(greeting).map(TextWebSocketFrame::new);
		if (farewellCode != 0) {
			return out.sendObject(greet).then().then(Mono.defer(() -> out.sendClose(farewellCode, farewellReason)));
		}
		return out.sendObject(Flux.concat(greet, in.receiveFrames().concatMap(frame -> {
			session.frames.add(new Frame(type(frame), ByteBufUtil.getBytes(frame.content()), frame.isFinalFragment()));
			if (frame instanceof PingWebSocketFrame) {
				return Mono.just(new PongWebSocketFrame(frame.content().retain()));
			}
			if (frame instanceof PongWebSocketFrame || !echo) {
				return Mono.empty();
			}
			return Mono.just(frame.retain());
		}))).then();
	}

	static String type(WebSocketFrame frame) {
		return frame.getClass().getSimpleName().replace("WebSocketFrame", "").toLowerCase();
	}

	private int port;

	public int port() {
		return port;
	}

	public String url() {
		return "ws://127.0.0.1:" + port();
	}

	/** Answer the next handshakes with this HTTP status instead of 101 (0 = accept). */
	public TestBackend refuseWith(int status) {
		this.refuseStatus = status;
		return this;
	}

	/** Add these headers to the 101 response. */
	public TestBackend respondWithHeaders(Map<String, String> headers) {
		this.responseHeaders = Map.copyOf(headers);
		return this;
	}

	/** Select the first subprotocol the gateway offers. */
	public TestBackend selectFirstSubprotocol() {
		this.selectFirstSubprotocol = true;
		return this;
	}

	/**
	 * Accept permessage-deflate when offered (Reactor Netty's own compression): frames are recorded
	 * inflated, and sent compressed.
	 */
	public TestBackend compress() {
		this.compress = true;
		return this;
	}

	/** Record but do not echo data frames. */
	public TestBackend silent() {
		this.echo = false;
		return this;
	}

	/** Send these text messages as soon as a session opens, before reading anything. */
	public TestBackend greet(List<String> messages) {
		this.greeting = List.copyOf(messages);
		return this;
	}

	/** Close each session with this code and reason right after the greeting, before reading anything. */
	public TestBackend thenClose(int code, String reason) {
		this.farewellCode = code;
		this.farewellReason = reason;
		return this;
	}

	/** Accept sessions but never read from them. */
	public TestBackend neverRead() {
		this.read = false;
		return this;
	}

	public Session nextSession() throws InterruptedException {
		Session session = sessions.poll(10, TimeUnit.SECONDS);
		if (session == null) {
			throw new AssertionError("backend got no session within 10s");
		}
		return session;
	}

	public Handshake lastHandshake() {
		return handshakes.get(handshakes.size() - 1);
	}

	@Override
	public void close() {
		server.disposeNow(Duration.ofSeconds(5));
	}

	static PingWebSocketFrame ping(String payload) {
		return new PingWebSocketFrame(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
	}
}
