package io.wsgate.health;

import java.net.URI;
import java.net.URISyntaxException;

import io.wsgate.pool.Server;

/** The URI a probe sends to: the server's host, its port or the check's, the check's uri or the server URL's. */
final class ProbeTarget {

	private ProbeTarget() {
	}

	/**
	 * @param server the server checked
	 * @param webSocket whether the probe is a WebSocket handshake (ws/wss) or an HTTP request (http/https)
	 * @param port the check's port, 0 for the server's
	 * @param uri the check's path and query, "" for the server URL's
	 */
	static URI of(Server server, boolean webSocket, int port, String uri) {
		String scheme = webSocket ? (server.secure() ? "wss" : "ws") : (server.secure() ? "https" : "http");
		URI configured = URI.create(server.configuredUrl().trim());
		String pathAndQuery = !uri.isEmpty() ? uri : rawPathAndQuery(configured);
		URI relative = URI.create(pathAndQuery.isEmpty() ? "/" : pathAndQuery);
		try {
			// The multi-argument constructor puts brackets around an IPv6 host.
			return new URI(scheme, null, server.uri().getHost(), (port > 0) ? port : server.uri().getPort(),
					(relative.getPath() == null || relative.getPath().isEmpty()) ? "/" : relative.getPath(),
					relative.getQuery(), null);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("health check uri of " + server + ": " + ex.getMessage(), ex);
		}
	}

	private static String rawPathAndQuery(URI uri) {
		String path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
		return (uri.getRawQuery() != null) ? path + "?" + uri.getRawQuery() : path;
	}
}
