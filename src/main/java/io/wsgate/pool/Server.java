package io.wsgate.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

import io.netty.util.NetUtil;
import io.wsgate.config.PoolSpec.ServerSpec;
import org.jspecify.annotations.Nullable;

/**
 * A backend server as the proxy uses it: its normalised {@code ws}/{@code wss} URI plus the
 * options of its spec. Identity is the configured URL, as in Easegress.
 *
 * @param url the URL as configured (identity, hash key)
 * @param uri {@code ws://host:port} or {@code wss://host:port}, path and query dropped
 * @param keepHost send the client's Host header instead of the server's host:port
 * @param weight weight for weightedRandom (0 when unweighted)
 * @param tags free-form labels
 * @param configuredUrl the URL of the configured server this one comes from (= url unless resolved)
 * @param hostName for a server that is one address of a DNS name ({@code dnsRefresh}): the name, sent
 * as Host and used for TLS (SNI, certificate check); null: a server dialled as configured
 */
public record Server(String url, URI uri, boolean keepHost, int weight, List<String> tags, String configuredUrl,
		@Nullable String hostName) {

	public static Server of(ServerSpec spec) {
		return new Server(spec.url(), ServerSpec.webSocketUri(spec.url()), spec.keepHost(), spec.weight(), spec.tags(), spec.url(),
				null);
	}

	/**
	 * One address of a configured server's DNS name: named {@code <configured URL> (<address>)}, dialled
	 * at the address and port, with the configured server's options and weight.
	 *
	 * @param address an IP address literal (IPv6 without brackets)
	 */
	public static Server resolved(ServerSpec spec, String address) {
		URI configured = ServerSpec.webSocketUri(spec.url());
		String host = address.contains(":") ? "[" + address + "]" : address;
		URI uri = URI.create(configured.getScheme() + "://" + host + ":" + configured.getPort());
		return new Server(spec.url() + " (" + address + ")", uri, spec.keepHost(), spec.weight(), spec.tags(), spec.url(),
				configured.getHost());
	}

	/**
	 * The DNS name of a configured server URL, to resolve with {@code dnsRefresh} (null: an IP literal,
	 * never resolved, or a URL that is not valid).
	 */
	public static @Nullable String dnsName(String url) {
		String host;
		try {
			host = ServerSpec.webSocketUri(url).getHost();
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		return (ipLiteral(host) != null) ? null : host.toLowerCase(Locale.ROOT);
	}

	/**
	 * Where to dial: an IP literal as it is, a host name unresolved (the dial resolves it, without
	 * blocking its event loop).
	 */
	public InetSocketAddress socketAddress() {
		InetAddress literal = ipLiteral(uri.getHost());
		return (literal != null) ? new InetSocketAddress(literal, uri.getPort())
				: InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort());
	}

	/** The address a URI host names when it is an IP literal (IPv6 in brackets); null for a name. */
	private static @Nullable InetAddress ipLiteral(String host) {
		String bare = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		return NetUtil.createInetAddressFromIpAddressString(bare);
	}

	/**
	 * The Host header of a resolved server: its name, with the port unless it is the scheme's default
	 * (as a dial by name sends it); null: a server dialled as configured.
	 */
	public @Nullable String hostHeader() {
		if (hostName == null) {
			return null;
		}
		int port = uri.getPort();
		boolean defaultPort = (port == 80 && !secure()) || (port == 443 && secure());
		return defaultPort ? hostName : hostName + ":" + port;
	}

	public boolean secure() {
		return "wss".equals(uri.getScheme());
	}

	/** host:port as sent in the Host header (port always included). */
	public String hostPort() {
		return uri.getHost() + ":" + uri.getPort();
	}

	@Override
	public String toString() {
		return url;
	}
}
