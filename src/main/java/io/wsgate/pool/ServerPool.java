package io.wsgate.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.wsgate.config.PoolSpec;
import io.wsgate.request.RequestInfo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpHeaders;

/**
 * A pool of servers with its load balancer and the health of each server. The servers available
 * for new sessions are an immutable list swapped atomically when a server changes state, so
 * picking never locks.
 */
public final class ServerPool {

	private static final Log logger = LogFactory.getLog(ServerPool.class);

	private final String pipeline;

	private final String name;

	private final PoolSpec spec;

	private final @Nullable BackendTls tls;

	private final List<Server> servers;

	private final Map<Server, ServerState> states;

	private final @Nullable RequestMatcher matcher;

	private final LoadBalancePolicy policy;

	private final @Nullable StickySession stickySession;

	private volatile List<Server> available;

	/** Per server: its sessions, from the dial until the backend connection closes. */
	private final Map<Server, AtomicInteger> openSessions;

	/**
	 * @param pipeline the pipeline the pool belongs to
	 * @param name the pool's name inside its pipeline, e.g. {@code websocketproxy#wsproxy#main}
	 * @param spec its validated configuration
	 * @param tls the TLS toward its wss:// servers (null: Reactor Netty's defaults)
	 */
	public ServerPool(String pipeline, String name, PoolSpec spec, @Nullable BackendTls tls) {
		this(pipeline, name, spec, tls, null);
	}

	/**
	 * A pool of a configuration that replaces another: a server with the same URL as one of the pool
	 * of the same pipeline and name in force shares its health state; every server's session count
	 * comes from the registry, so sessions opened before a reload still count (leastSessions).
	 *
	 * @param registry the pools in force (null: a pool on its own)
	 */
	public ServerPool(String pipeline, String name, PoolSpec spec, @Nullable BackendTls tls,
			@Nullable PoolRegistry registry) {
		this.pipeline = pipeline;
		this.name = name;
		this.spec = spec;
		this.tls = tls;
		this.servers = servers(spec, registry);
		Map<Server, ServerState> map = new LinkedHashMap<>();
		Map<Server, AtomicInteger> sessions = new LinkedHashMap<>();
		ServerPool previous = (registry != null) ? registry.previous(pipeline, name) : null;
		for (Server server : servers) {
			ServerState kept = (previous != null) ? previous.state(server.url()) : null;
			if (kept != null) {
				kept.reconfigure(server, spec);
				map.put(server, kept);
			}
			else {
				map.put(server, new ServerState(server, spec));
			}
			sessions.put(server, (registry != null) ? registry.sessionCount(pipeline, name, server.url()) : new AtomicInteger());
		}
		this.states = Collections.unmodifiableMap(map);
		PoolSpec.RequestMatcherSpec filter = spec.filter();
		this.matcher = (filter != null) ? new RequestMatcher(filter) : null;
		this.openSessions = Collections.unmodifiableMap(sessions);
		PoolSpec.Policy policy = spec.loadBalance().parsedPolicy();
		if (policy == null) {
			throw new IllegalArgumentException("unknown load balance policy " + spec.loadBalance().policy());
		}
		this.policy = LoadBalancePolicy.of(policy,
				new LoadBalancePolicy.Context(spec.loadBalance().headerHashKey(), this::openSessions));
		PoolSpec.StickySessionSpec sticky = spec.loadBalance().stickySession();
		this.stickySession = (sticky != null) ? StickySession.of(sticky) : null;
		this.available = servers;
		refresh();
	}

	/**
	 * The pool's servers: each configured one, or with {@code dnsRefresh}, one per address its DNS name
	 * resolved to (each with the configured server's options and weight). A name not resolved yet, or
	 * an IP literal, is the configured server itself.
	 */
	static List<Server> servers(PoolSpec spec, @Nullable PoolRegistry registry) {
		List<Server> result = new ArrayList<>();
		for (PoolSpec.ServerSpec server : spec.selectedServers()) {
			String name = Server.dnsName(server.url());
			List<String> addresses = (registry != null && name != null && spec.resolvesNames())
					? registry.addresses(name) : null;
			if (addresses == null || addresses.isEmpty()) {
				result.add(Server.of(server));
			}
			else {
				addresses.forEach(address -> result.add(Server.resolved(server, address)));
			}
		}
		return List.copyOf(result);
	}

	/** The server of the pool with this URL (null: none). */
	public @Nullable Server server(String url) {
		for (Server server : servers) {
			if (server.url().equals(url)) {
				return server;
			}
		}
		return null;
	}

	public String pipeline() {
		return pipeline;
	}

	public String name() {
		return name;
	}

	/** The TLS toward the pool's wss:// servers (null: Reactor Netty's defaults). */
	public @Nullable BackendTls tls() {
		return tls;
	}

	public PoolSpec spec() {
		return spec;
	}

	public List<Server> servers() {
		return servers;
	}

	/** The servers that get new sessions now. */
	public List<Server> healthyServers() {
		return available;
	}

	/** The health of each server, in pool order. */
	public List<ServerState.Snapshot> serverStates() {
		Instant now = Instant.now();
		return states.values().stream().map(state -> state.snapshot(now)).toList();
	}

	public Duration connectTimeout() {
		return spec.connectTimeout();
	}

	/** Whether a request belongs to this candidate pool (always true for the main pool). */
	public boolean matches(RequestInfo request) {
		return matcher == null || matcher.matches(request);
	}

	/**
	 * The servers to dial for a request, best first: the sticky or policy pick, then the other
	 * available servers in pool order after it, so a failed dial moves on to the next server once.
	 * Empty when no server is available.
	 */
	public List<Server> serversToTry(RequestInfo request) {
		List<Server> candidates = available;
		if (candidates.isEmpty()) {
			return List.of();
		}
		Server first = (stickySession != null) ? stickySession.pick(candidates, request) : null;
		if (first == null) {
			first = policy.choose(candidates, request);
		}
		if (candidates.size() == 1) {
			return candidates;
		}
		int start = candidates.indexOf(first);
		List<Server> order = new ArrayList<>(candidates.size());
		for (int i = 0; i < candidates.size(); i++) {
			order.add(candidates.get((start + i) % candidates.size()));
		}
		return order;
	}

	/**
	 * The sticky-session cookie to set on the client's 101 for a session on this server (null: none).
	 * The backend's response headers are only asked for when there is a sticky policy to read them.
	 */
	public @Nullable String stickyCookie(Server server, Supplier<HttpHeaders> backendResponseHeaders) {
		return (stickySession != null) ? stickySession.cookieFor(server, backendResponseHeaders.get()) : null;
	}

	/** The sessions a server of the pool has now, dials under way included. */
	public int openSessions(Server server) {
		AtomicInteger count = openSessions.get(server);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * Counts a session on a server from its dial on; the count lasts until {@link SessionCount#release}
	 * (the backend connection closed, or the dial failed).
	 */
	public SessionCount countSession(Server server) {
		AtomicInteger count = openSessions.get(server);
		if (count == null) {
			throw new IllegalArgumentException(server + " is not a server of " + this);
		}
		count.incrementAndGet();
		return new SessionCount(count);
	}

	/** One session's place in a server's count; released once, however many times it is asked to. */
	public static final class SessionCount {

		private final AtomicInteger count;

		private final AtomicBoolean released = new AtomicBoolean();

		private SessionCount(AtomicInteger count) {
			this.count = count;
		}

		public void release() {
			if (released.compareAndSet(false, true)) {
				count.decrementAndGet();
			}
		}
	}

	/** Records the result of an active health check; a change of verdict is logged once. */
	public void recordCheck(Server server, boolean healthy, @Nullable String failure) {
		ServerState state = states.get(server);
		if (state == null) {
			return;
		}
		switch (state.recordCheck(healthy, failure, Instant.now())) {
			case UP -> logger.info(this + ": server " + server + " is UP again (health check passed)");
			case DOWN -> logger.warn(this + ": server " + server + " is DOWN: " + failure);
			case READMITTED -> logger.info(this + ": server " + server
					+ " is back before its back-off ended (health check passed after failing in traffic)");
			case NONE -> {
				return;
			}
		}
		refresh();
	}

	/** Records a failed dial in real traffic; enough of them take the server out for a back-off. */
	public void recordDialFailure(Server server, String failure) {
		ServerState state = states.get(server);
		Duration backoff = (state != null) ? state.recordDialFailure(failure, Instant.now()) : null;
		if (backoff != null) {
			logger.warn(this + ": server " + server + " taken out for " + backoff.toMillis() + "ms after failing in traffic: "
					+ failure);
			refresh();
			// Bring it back when the back-off ends; the next dial decides whether it stays.
			Schedulers.parallel().schedule(this::refresh, backoff.toMillis() + 1, TimeUnit.MILLISECONDS);
		}
	}

	/** Records a successful dial; a server it brings back is available again at once. */
	public void recordDialSuccess(Server server) {
		ServerState state = states.get(server);
		if (state != null && state.recordDialSuccess(Instant.now())) {
			refresh();
		}
	}

	/** Recomputes the available servers; the list is replaced only when it changes. */
	private synchronized void refresh() {
		Instant now = Instant.now();
		List<Server> next = servers.stream().filter(server -> isAvailable(server, now)).toList();
		if (!next.equals(available)) {
			available = next;
		}
	}

	private boolean isAvailable(Server server, Instant now) {
		ServerState state = states.get(server);
		return state != null && state.isAvailable(now);
	}

	/** The health state of the server of the pool with this URL (null: none). */
	private @Nullable ServerState state(String url) {
		Server server = server(url);
		return (server != null) ? states.get(server) : null;
	}

	/** pipeline/pool, as logs name it: a pool's name is unique only inside its pipeline. */
	@Override
	public String toString() {
		return pipeline + "/" + name;
	}
}
