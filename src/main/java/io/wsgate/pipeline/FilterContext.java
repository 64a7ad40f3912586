package io.wsgate.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.wsgate.request.RequestInfo;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;

/** One request going through a pipeline. */
public final class FilterContext {

	private final ServerHttpRequest request;

	private final ServerHttpResponse response;

	private final RequestInfo info;

	private final String httpServer;

	private final String pipeline;

	private final boolean secure;

	private final Observation observation;

	private final AtomicBoolean handshakeEnded = new AtomicBoolean();

	private final long startNanos = System.nanoTime();

	private final Instant start = Instant.now();

	/** Set by the http server: keeps the pipeline's filters from being closed by a reload. */
	private Supplier<Runnable> sessionHold = () -> () -> {
	};

	private volatile boolean upgraded;

	private @Nullable BackendRequest backendRequest;

	private final SessionGuards sessionGuards = new SessionGuards();

	/** What filters tell the filters after them; made on first use. */
	private @Nullable Map<String, Object> attributes;

	/** The filter the pipeline is running now. */
	private String currentFilter = "";

	/** A refusal a filter asked for, answered if the flow ends on it. */
	private @Nullable PendingRefusal pendingRefusal;

	/**
	 * @param request the client's request
	 * @param response the client's response
	 * @param info the request as routing and load balancing see it
	 * @param httpServer the name of the http server that received it
	 * @param pipeline the name of the pipeline
	 * @param secure whether the client connection uses TLS
	 * @param observation the handshake's observation (tracing), started by the http server
	 */
	public FilterContext(ServerHttpRequest request, ServerHttpResponse response, RequestInfo info, String httpServer,
			String pipeline, boolean secure, Observation observation) {
		this.request = request;
		this.response = response;
		this.info = info;
		this.httpServer = httpServer;
		this.pipeline = pipeline;
		this.secure = secure;
		this.observation = observation;
	}

	public ServerHttpRequest request() {
		return request;
	}

	public ServerHttpResponse response() {
		return response;
	}

	public RequestInfo info() {
		return info;
	}

	public String httpServer() {
		return httpServer;
	}

	public String pipeline() {
		return pipeline;
	}

	public boolean secure() {
		return secure;
	}

	/** When the request arrived. */
	public Instant start() {
		return start;
	}

	/** Nanoseconds since the request arrived. */
	public long elapsedNanos() {
		return System.nanoTime() - startNanos;
	}

	/** What filters change in the handshake sent to the backend. */
	public BackendRequest backendRequest() {
		BackendRequest made = backendRequest;
		if (made == null) {
			String path = request.getURI().getRawPath();
			String query = request.getURI().getRawQuery();
			String base = (path == null || path.isEmpty()) ? "/" : path;
			made = new BackendRequest((query != null) ? base + "?" + query : base);
			backendRequest = made;
		}
		return made;
	}

	/** What filters ask of the session this handshake opens. */
	public SessionGuards sessionGuards() {
		return sessionGuards;
	}

	/**
	 * What a filter tells the filters after it in the flow, by name: a Validator leaves each claim it
	 * verified as {@code claim.<name>} (which a RateLimiter's {@code key: claim:<name>} reads). The
	 * filters of a handshake run one after the other, so this needs no locking.
	 */
	public Map<String, Object> attributes() {
		Map<String, Object> made = attributes;
		if (made == null) {
			made = new HashMap<>();
			attributes = made;
		}
		return made;
	}

	/** The name of the filter running now (set by the pipeline). */
	public String currentFilter() {
		return currentFilter;
	}

	void currentFilter(String name) {
		this.currentFilter = name;
		sessionGuards.currentFilter(name);
	}

	/**
	 * Refuses the handshake with {@code result}: the pipeline answers {@code refusal} if the flow
	 * ends on that result, and forgets it if the flow's {@code jumpIf} sends the handshake on.
	 */
	public Mono<String> refuse(Refusal refusal, String result) {
		this.pendingRefusal = new PendingRefusal(refusal, result, currentFilter);
		return Mono.just(result);
	}

	@Nullable PendingRefusal pendingRefusal() {
		return pendingRefusal;
	}

	void forgetRefusal() {
		this.pendingRefusal = null;
	}

	/** A refusal waiting for the flow to end, with the result and the filter that asked for it. */
	record PendingRefusal(Refusal refusal, String result, String filter) {
	}

	/** The handshake's observation: filters add what they learn (pool, server) as key values. */
	public Observation observation() {
		return observation;
	}

	/** Ends the handshake's observation with its outcome; only the first call counts. */
	public void endHandshake(String outcome, int status) {
		if (handshakeEnded.compareAndSet(false, true)) {
			observation.lowCardinalityKeyValue("outcome", outcome)
				.lowCardinalityKeyValue("status", String.valueOf(status))
				.stop();
		}
	}

	/** Records that the connection was upgraded natively, outside Spring's response. */
	public void markUpgraded() {
		this.upgraded = true;
	}

	/** Whether the client has been answered: an HTTP response was committed or the connection upgraded. */
	public boolean isAnswered() {
		return upgraded || response.isCommitted();
	}

	/** Answers with a status and a one-line plain-text body, unless already answered. */
	public Mono<Void> respond(int status, String message) {
		return isAnswered() ? Mono.empty() : respond(response, status, message);
	}

	/** Answers {@code response} with a status and a one-line plain-text body (never hangs the client). */
	public static Mono<Void> respond(ServerHttpResponse response, int status, String message) {
		if (response.isCommitted()) {
			return Mono.empty();
		}
		response.setStatusCode(HttpStatusCode.valueOf(status));
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
	}

	/** Set by the http server that runs the pipeline: how {@link #holdForSession} holds it. */
	public void sessionHold(Supplier<Runnable> hold) {
		this.sessionHold = hold;
	}

	/**
	 * Keeps this pipeline's filters open (a reload closes the filters that hold resources once nobody
	 * uses them) for a session that outlives the handshake, until the returned action runs (once).
	 */
	public Runnable holdForSession() {
		return sessionHold.get();
	}
}
