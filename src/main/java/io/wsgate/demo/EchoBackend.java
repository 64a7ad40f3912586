package io.wsgate.demo;

import java.util.Objects;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.LoopResources;

import org.springframework.context.SmartLifecycle;

/**
 * A WebSocket echo server on 127.0.0.1: every frame (text, binary, continuation) comes back as
 * sent. It stands in for a real backend in the demo route.
 */
public final class EchoBackend implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(EchoBackend.class);

	/** Large enough for the demo's and the benchmarks' messages. */
	private static final int MAX_FRAME = 16 << 20;

	private final String name;

	private final int port;

	private final boolean compress;

	/** The event loops it runs on; null: Reactor Netty's global ones. */
	private final @Nullable LoopResources loops;

	private @Nullable DisposableServer server;

	public EchoBackend(int port) {
		this("demo", port, false);
	}

	/**
	 * @param name what it is for, in its log line ("demo", "warm-up")
	 * @param port the port on 127.0.0.1 (0: any free port)
	 * @param compress accept permessage-deflate when a client offers it (the benchmark's compressed runs)
	 */
	public EchoBackend(String name, int port, boolean compress) {
		this(name, port, compress, null);
	}

	/**
	 * @param loops the event loops to run on (the warm-up's: the gateway's own, so that it leaves no
	 * threads behind); null: Reactor Netty's global ones
	 */
	public EchoBackend(String name, int port, boolean compress, @Nullable LoopResources loops) {
		this.name = name;
		this.port = port;
		this.compress = compress;
		this.loops = loops;
	}

	@Override
	public synchronized void start() {
		HttpServer http = (loops != null) ? HttpServer.create().runOn(loops) : HttpServer.create();
		server = http
			.host("127.0.0.1")
			.port(port)
			// Close frames never reach receiveFrames: Reactor Netty answers them itself.
			.route(routes -> routes.ws("/**", (in, out) -> out.sendObject(in.receiveFrames().doOnNext(WebSocketFrame::retain)),
					WebsocketServerSpec.builder().maxFramePayloadLength(MAX_FRAME).compress(compress).build()))
			.bindNow();
		logger.info(name + " echo backend listening on ws://127.0.0.1:" + server.port());
	}

	@Override
	public synchronized void stop() {
		if (server != null) {
			server.disposeNow();
			server = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return server != null;
	}

	/** Starts before the listeners, so the demo route has a backend from the first request. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1000;
	}

	/** The port it listens on, once started. */
	public synchronized int port() {
		return Objects.requireNonNull(server, "the echo backend is not started").port();
	}
}
