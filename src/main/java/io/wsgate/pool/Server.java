package io.wsgate.pool;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import io.wsgate.config.PoolSpec.ServerSpec;

/**
 * A backend server as the proxy uses it: its normalised {@code ws}/{@code wss} URI plus the
 * options of its spec. Identity is the configured URL, as in Easegress.
 *
 * @param url the URL as configured (identity, hash key)
 * @param uri {@code ws://host:port} or {@code wss://host:port}, path and query dropped
 * @param keepHost send the client's Host header instead of the server's host:port
 * @param weight weight for weightedRandom (0 when unweighted)
 * @param tags free-form labels
 */
public record Server(String url, URI uri, boolean keepHost, int weight, List<String> tags) {

	public static Server of(ServerSpec spec) {
		return new Server(spec.url(), webSocketUri(spec.url()), spec.keepHost(), spec.weight(), spec.tags());
	}

	public boolean secure() {
		return "wss".equals(uri.getScheme());
	}

	/** host:port as sent in the Host header (port always included). */
	public String hostPort() {
		return uri.getHost() + ":" + uri.getPort();
	}

	/**
	 * The ws/wss URI of a configured server URL; http and https are aliases. The port defaults to
	 * the scheme's. Throws {@link IllegalArgumentException} with a short reason for a bad URL.
	 */
	public static URI webSocketUri(String url) {
		URI parsed;
		try {
			parsed = new URI(url.trim());
		}
		catch (Exception ex) {
			throw new IllegalArgumentException("not a valid URL");
		}
		String scheme = (parsed.getScheme() != null) ? parsed.getScheme().toLowerCase(Locale.ROOT) : "";
		String wsScheme = switch (scheme) {
			case "ws", "http" -> "ws";
			case "wss", "https" -> "wss";
			default -> throw new IllegalArgumentException("scheme '" + scheme + "' (expected: ws, wss, http or https)");
		};
		if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
			throw new IllegalArgumentException("no host");
		}
		int port = (parsed.getPort() > 0) ? parsed.getPort() : ("ws".equals(wsScheme) ? 80 : 443);
		return URI.create(wsScheme + "://" + parsed.getHost() + ":" + port);
	}

	@Override
	public String toString() {
		return url;
	}
}
