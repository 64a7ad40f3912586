package io.wsgate.runtime;

import java.util.LinkedHashSet;
import java.util.Set;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.runtime.GatewayRuntime.ServerKey;

/**
 * What a new runtime changes from the one in force: servers (by pipeline, pool and URL) and http
 * servers (by name) added, removed and kept.
 *
 * @param addedServers servers only the new runtime has
 * @param removedServers servers only the old runtime has
 * @param keptServers servers of both, which keep their health state and meters
 * @param addedListeners http servers only the new runtime has
 * @param removedListeners http servers only the old runtime has
 */
public record RuntimeDiff(Set<ServerKey> addedServers, Set<ServerKey> removedServers, Set<ServerKey> keptServers,
		Set<String> addedListeners, Set<String> removedListeners) {

	public static RuntimeDiff of(GatewayRuntime before, GatewayRuntime after) {
		return of(before.servers(), after.servers(), names(before), names(after));
	}

	static RuntimeDiff of(Set<ServerKey> serversBefore, Set<ServerKey> serversAfter, Set<String> listenersBefore,
			Set<String> listenersAfter) {
		return new RuntimeDiff(minus(serversAfter, serversBefore), minus(serversBefore, serversAfter),
				both(serversBefore, serversAfter), minus(listenersAfter, listenersBefore),
				minus(listenersBefore, listenersAfter));
	}

	/** Whether sessions may be left on something the new runtime no longer has. */
	public boolean removesAnything() {
		return !removedServers.isEmpty() || !removedListeners.isEmpty();
	}

	/** One line for the log. */
	public String summary() {
		return "servers +" + addedServers.size() + " -" + removedServers.size() + " =" + keptServers.size()
				+ ", http servers +" + addedListeners.size() + " -" + removedListeners.size();
	}

	private static Set<String> names(GatewayRuntime runtime) {
		Set<String> names = new LinkedHashSet<>();
		runtime.httpServers().stream().map(HttpServerSpec::name).forEach(names::add);
		return names;
	}

	private static <T> Set<T> minus(Set<T> a, Set<T> b) {
		Set<T> result = new LinkedHashSet<>(a);
		result.removeAll(b);
		return Set.copyOf(result);
	}

	private static <T> Set<T> both(Set<T> a, Set<T> b) {
		Set<T> result = new LinkedHashSet<>(a);
		result.retainAll(b);
		return Set.copyOf(result);
	}
}
