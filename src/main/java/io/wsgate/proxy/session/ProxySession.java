package io.wsgate.proxy.session;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.wsgate.metrics.CloseInitiator;
import io.wsgate.metrics.Direction;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.metrics.ServerMeters;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.SessionGuards;
import io.wsgate.pipeline.SessionGuards.MessageRate;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.dial.BackendSession;
import io.wsgate.proxy.frame.Opcodes;
import io.wsgate.proxy.frame.RelayEnd;
import io.wsgate.status.SessionListener;
import io.wsgate.status.SessionSummary;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketInbound;

/**
 * One session of a WebSocketProxy, from the handshake that asks for it to its release: the one
 * owner of what a session holds (its place under the session limits, its hold of the pipeline, its
 * backend connection, its meters) and the one place that ends it, once. The proxy tells it what
 * happens; it releases and reports.
 *
 * <p>Its life: {@code NEW} (a handshake reached the proxy) → {@code RESERVED} (admitted under the
 * limits; the backend is dialled) → {@code UPGRADED} (the client has its 101) → {@code RELAYING}
 * (the {@link WebSocketBridge} runs) → {@code ENDED}. It may end from any state: refused with an
 * HTTP status (before the 101), abandoned (the handshake was cancelled or failed), closed before it
 * relayed (a first-message check said no), or at the end of the relay. Each way releases what the
 * session holds at that point and reports the session once: its outcome, its close, its access log line.
 */
public final class ProxySession {

	private enum State {
		NEW, RESERVED, UPGRADED, RELAYING, ENDED
	}

	private static final AtomicReferenceFieldUpdater<ProxySession, State> STATE =
			AtomicReferenceFieldUpdater.newUpdater(ProxySession.class, State.class, "state");

	/** The initiator of closes the gateway decides on (limits, protocol errors, timeouts, shutdown). */
	public static final String GATEWAY = CloseInitiator.GATEWAY.tag();

	/** Moved on by compare-and-set only (a field updater: no object of its own per session). */
	private volatile State state = State.NEW;

	private final SessionRegistry registry;

	private final GatewayMetrics metrics;

	private final SessionListener listener;

	// Who and where, copied from the handshake: a session must not keep its request alive.

	private final String clientAddress;

	private final String host;

	private final String path;

	private final String httpServer;

	private final String pipeline;

	private final Instant start;

	private final long startNanos;

	// What the session learns as it goes (the access log's fields).

	/** The filter that refused the session: the proxy, or the filter whose first-message check did. */
	private volatile String filter;

	/** The pool chosen for it; null until the proxy chose one. */
	private volatile @Nullable ServerPool pool;

	private volatile String server = "";

	private volatile String subprotocol = "";

	private volatile int status;

	private volatile @Nullable HandshakeOutcome outcome;

	/**
	 * Why the handshake was refused, or why a session upgraded for a first-message check ended
	 * before it relayed; "" for a session that relayed.
	 */
	private volatile String reason = "";

	private int closeCode;

	private String closedBy = "";

	// What it holds.

	private volatile Runnable pipelineHold = () -> {
	};

	private volatile @Nullable RelayEnd backend;

	private volatile @Nullable WebSocketBridge bridge;

	private volatile @Nullable ServerMeters meters;

	private volatile @Nullable TrafficCounter up;

	private volatile @Nullable TrafficCounter down;

	public ProxySession(FilterContext context, SessionRegistry registry, GatewayMetrics metrics,
			SessionListener listener) {
		this.registry = registry;
		this.metrics = metrics;
		this.listener = listener;
		String hostHeader = context.request().getHeaders().getFirst("Host");
		this.clientAddress = context.info().clientIp();
		this.host = (hostHeader != null) ? hostHeader : "";
		this.path = context.info().path();
		this.httpServer = context.httpServer();
		this.pipeline = context.pipeline();
		this.filter = context.currentFilter();
		// From the request's arrival: the filters before the proxy are part of the handshake.
		this.start = context.start();
		this.startNanos = System.nanoTime() - context.elapsedNanos();
	}

	/** The pool chosen for the session. */
	public void pool(ServerPool pool) {
		this.pool = pool;
	}

	/**
	 * Reserves the session's place under the limits and, once it has one, a hold of its pipeline
	 * ({@code pipelineHold} takes it and returns what releases it: a reload closes replaced filters
	 * once nobody holds them).
	 *
	 * @return why the session is refused; null when it has its place
	 */
	public SessionRegistry.@Nullable Refusal reserve(Supplier<Runnable> pipelineHold) {
		SessionRegistry.Refusal refusal = registry.admit(chosenPool(), clientAddress);
		if (refusal != null) {
			return refusal;
		}
		this.pipelineHold = pipelineHold.get();
		if (!STATE.compareAndSet(this, State.NEW, State.RESERVED)) {
			// Ended meanwhile (cannot happen before the proxy reserves, but never hold a place for nobody).
			release();
		}
		return null;
	}

	/** The handshake is answered with an HTTP status instead of a 101: the session ends there. */
	public void refused(int status, String message, HandshakeOutcome outcome) {
		this.status = status;
		this.outcome = outcome;
		this.reason = message;
		metrics.handshakeOutcome(httpServer, pipeline, poolName("none"), outcome);
		end();
	}

	/**
	 * The handshake ended (completed, failed or cancelled): a session that was not upgraded by then
	 * never will be, and gives back what it holds without a report (the proxy reported a refusal).
	 */
	public void handshakeEnded() {
		if (STATE.compareAndSet(this, State.RESERVED, State.ENDED)) {
			release();
		}
	}

	/** A backend answered: the session holds its connection (and closes it, when it ended meanwhile). */
	public void dialled(BackendSession backend) {
		this.backend = backend.connection();
		if (state == State.ENDED) {
			backend.connection().close();
		}
	}

	/** The client has its 101; false when the session ended meanwhile (it then must not run). */
	public boolean upgraded() {
		if (!STATE.compareAndSet(this, State.RESERVED, State.UPGRADED)) {
			return false;
		}
		status = 101;
		return true;
	}

	/** Whether the client was upgraded (the session may still be running, or over). */
	public boolean wasUpgraded() {
		return status == 101;
	}

	/** The subprotocol the client was promised before the backend answered (a first-message check). */
	public void promisedSubprotocol(@Nullable String subprotocol) {
		this.subprotocol = (subprotocol != null) ? subprotocol : "";
	}

	/**
	 * Relays between the upgraded client and its backend until both are closed, then ends. On the
	 * client's event loop.
	 *
	 * @param client the client's connection (its inbound and outbound)
	 * @param backend the backend that answered
	 * @param policy what filters set for the session's life
	 * @param deflate whether the endpoints negotiated permessage-deflate
	 * @param firstMessage a first message to send the backend before anything else; null when none
	 */
	public Mono<Void> relay(WebsocketInbound client, BackendSession backend, SessionPolicy policy, boolean deflate,
			@Nullable String firstMessage) {
		this.backend = backend.connection();
		if (!STATE.compareAndSet(this, State.UPGRADED, State.RELAYING)) {
			backend.connection().close();
			return Mono.empty();
		}
		server = backend.server().url();
		if (backend.subprotocol() != null) {
			subprotocol = backend.subprotocol();
		}
		outcome = HandshakeOutcome.UPGRADED;
		ServerPool pool = chosenPool();
		ServerMeters meters = metrics.server(pool, backend.server());
		this.meters = meters;
		TrafficCounter up = new TrafficCounter(meters, Direction.UPSTREAM);
		TrafficCounter down = new TrafficCounter(meters, Direction.DOWNSTREAM);
		this.up = up;
		this.down = down;
		meters.sessionStarted();
		metrics.handshakeTimer(httpServer, pipeline, pool.name()).record(elapsedNanos(), TimeUnit.NANOSECONDS);
		metrics.handshakeOutcome(httpServer, pipeline, pool.name(), HandshakeOutcome.UPGRADED);
		if (firstMessage != null) {
			TextWebSocketFrame frame = new TextWebSocketFrame(firstMessage);
			up.count(Opcodes.TEXT, frame.content().readableBytes());
			Channel backendChannel = backend.connection().channel();
			backendChannel.writeAndFlush(frame, backendChannel.voidPromise());
		}
		WebSocketBridge bridge = new WebSocketBridge(this, ClientEnd.of(client), backend.connection(), up, down,
				pool.spec(), policy, deflate);
		this.bridge = bridge;
		registry.opened(this);
		HandshakeHeaders.forget(client, backend);
		// The bridge ends the session when its relay is over.
		return bridge.relay();
	}

	/**
	 * A session upgraded for a first-message check closed before it relayed.
	 *
	 * @param outcome the outcome to count
	 * @param code the close code the client got (or the one it sent, or 1006)
	 * @param initiator who closed first
	 * @param why the reason, for the access log
	 * @param refusedBy the filter that refused the first message; null when the proxy ended it
	 */
	public void endedBeforeRelay(HandshakeOutcome outcome, int code, String initiator, String why,
			@Nullable String refusedBy) {
		if (!STATE.compareAndSet(this, State.UPGRADED, State.ENDED)) {
			// It relayed: it ends with its relay.
			return;
		}
		closed(code, initiator);
		this.outcome = outcome;
		this.reason = why;
		if (refusedBy != null) {
			this.filter = refusedBy;
		}
		ended(State.UPGRADED);
	}

	/** The relay is over (or was cancelled): the session ends. */
	void relayEnded() {
		end();
	}

	/** Records how the session ended; only the first call counts. */
	synchronized void closed(int code, String initiator) {
		if (closedBy.isEmpty()) {
			closeCode = code;
			closedBy = initiator;
		}
	}

	/** Closes both sides with 1001 (the gateway is shutting down, or the session's server was removed). */
	void goAway(String why) {
		WebSocketBridge running = bridge;
		if (running != null) {
			running.goAway(why);
		}
	}

	/** Where the session runs: its http server, pipeline, pool and server. */
	SessionRegistry.Place place() {
		return new SessionRegistry.Place(httpServer, pipeline, poolName(""), server);
	}

	String clientAddress() {
		return clientAddress;
	}

	/** Ends the session once: releases what it holds in the state it ended in, and reports it. */
	private void end() {
		State was = STATE.getAndSet(this, State.ENDED);
		if (was != State.ENDED) {
			ended(was);
		}
	}

	/** What ending from state {@code was} takes: the one place that releases and reports a session. */
	private void ended(State was) {
		if (was != State.NEW) {
			release();
		}
		HandshakeOutcome ended = outcome;
		if (was == State.UPGRADED && ended != null) {
			metrics.handshakeOutcome(httpServer, pipeline, poolName("none"), ended);
		}
		ServerMeters serverMeters = meters;
		if (was == State.RELAYING && serverMeters != null) {
			registry.closed(this);
			serverMeters.sessionEnded();
		}
		if (was == State.UPGRADED || was == State.RELAYING) {
			metrics.closed(pipeline, poolName("none"), closeCode(), closedBy());
		}
		listener.sessionFinished(summary());
	}

	/** Gives back the session's place and its hold of the pipeline, and drops its backend connection. */
	private void release() {
		registry.release(chosenPool(), clientAddress);
		pipelineHold.run();
		RelayEnd connection = backend;
		if (connection != null) {
			connection.close();
		}
	}

	/** The pool, which the proxy chooses before it reserves a place, dials or relays. */
	private ServerPool chosenPool() {
		return Objects.requireNonNull(pool, "no pool chosen");
	}

	private String poolName(String none) {
		ServerPool chosen = pool;
		return (chosen != null) ? chosen.name() : none;
	}

	private long elapsedNanos() {
		return System.nanoTime() - startNanos;
	}

	private synchronized int closeCode() {
		return closeCode;
	}

	private synchronized String closedBy() {
		return closedBy;
	}

	private SessionSummary summary() {
		TrafficCounter upTotals = up;
		TrafficCounter downTotals = down;
		HandshakeOutcome known = outcome;
		return new SessionSummary(start, clientAddress, host, path, httpServer, pipeline, poolName(""), server,
				subprotocol, status, (known != null) ? known.tag() : "", Duration.ofNanos(elapsedNanos()),
				(upTotals != null) ? upTotals.messages() : 0, (upTotals != null) ? upTotals.bytes() : 0,
				(downTotals != null) ? downTotals.messages() : 0, (downTotals != null) ? downTotals.bytes() : 0,
				closeCode(), closedBy(), reason.isEmpty() ? "" : filter, reason);
	}

	/**
	 * What filters set for a session's life, copied out of the handshake's context when the client is
	 * upgraded: the session keeps nothing of the handshake.
	 *
	 * @param closeAt when the session must end (a token's expiry); null: never
	 * @param closeReason the reason sent to the client then
	 * @param clientRates the client's message rates (RateLimiters' {@code messages}), empty when none
	 */
	public record SessionPolicy(@Nullable Instant closeAt, @Nullable String closeReason, List<MessageRate> clientRates) {

		/** No deadline, no message rate. */
		public static final SessionPolicy NONE = new SessionPolicy(null, null, List.of());

		public static SessionPolicy of(SessionGuards guards) {
			List<MessageRate> rates = guards.clientMessageRates();
			if (guards.closeAt() == null && guards.closeReason() == null && rates.isEmpty()) {
				// Most sessions: one policy shared by all, none of their own.
				return NONE;
			}
			return new SessionPolicy(guards.closeAt(), guards.closeReason(), rates);
		}
	}
}
