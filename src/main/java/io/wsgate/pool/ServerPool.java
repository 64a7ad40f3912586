package io.wsgate.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.wsgate.config.PoolSpec;
import io.wsgate.request.RequestInfo;

import org.springframework.http.HttpHeaders;

/**
 * A pool of servers with its load balancer. The healthy servers are an immutable list swapped
 * atomically when a server changes state, so picking never locks.
 */
public final class ServerPool {

	private final String name;

	private final PoolSpec spec;

	private final List<Server> servers;

	private final RequestMatcher matcher;

	private final LoadBalancePolicy policy;

	private final StickySession stickySession;

	private final AtomicReference<List<Server>> healthy;

	/**
	 * @param name the pool's name in logs and metrics, e.g. {@code websocketproxy#wsproxy#main}
	 * @param spec its validated configuration
	 */
	public ServerPool(String name, PoolSpec spec) {
		this.name = name;
		this.spec = spec;
		this.servers = spec.servers().stream().map(Server::of).toList();
		this.matcher = spec.isMain() ? null : new RequestMatcher(spec.filter());
		this.policy = LoadBalancePolicy.named(spec.loadBalance().policy()).apply(spec.loadBalance().headerHashKey());
		this.stickySession = (spec.loadBalance().stickySession() != null)
				? StickySession.of(spec.loadBalance().stickySession()) : null;
		this.healthy = new AtomicReference<>(servers);
	}

	public String name() {
		return name;
	}

	public PoolSpec spec() {
		return spec;
	}

	public List<Server> servers() {
		return servers;
	}

	public List<Server> healthyServers() {
		return healthy.get();
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
	 * healthy servers in pool order after it, so a failed dial moves on to the next server once.
	 * Empty when no server is healthy.
	 */
	public List<Server> serversToTry(RequestInfo request) {
		List<Server> candidates = healthy.get();
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

	/** The sticky-session cookie to set on the client's 101 for a session on this server, or null. */
	public String stickyCookie(Server server, HttpHeaders backendResponseHeaders) {
		return (stickySession != null) ? stickySession.cookieFor(server, backendResponseHeaders) : null;
	}

	/**
	 * Records a server's health; the healthy list is replaced only when it changes.
	 * @return whether the server's state changed
	 */
	public boolean setHealthy(Server server, boolean isHealthy) {
		if (!servers.contains(server)) {
			return false;
		}
		while (true) {
			List<Server> current = healthy.get();
			if (current.contains(server) == isHealthy) {
				return false;
			}
			List<Server> next = servers.stream()
				.filter(s -> s.equals(server) ? isHealthy : current.contains(s))
				.toList();
			if (healthy.compareAndSet(current, next)) {
				return true;
			}
		}
	}

	@Override
	public String toString() {
		return name;
	}
}
