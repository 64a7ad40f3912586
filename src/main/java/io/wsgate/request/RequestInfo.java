package io.wsgate.request;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The parts of an incoming handshake that routing and load balancing look at.
 *
 * @param method request method, upper case
 * @param host the Host header without its port, lower case
 * @param path the request path (no query)
 * @param headers request headers (read-only)
 * @param peerIp the address of the TCP peer (with the PROXY protocol, the one its header names)
 * @param clientIp the client's address: the peer's, or the forwarded one when the peer is a trusted proxy
 * @param viaTrustedProxy whether the peer is one of the http server's trusted proxies
 */
public record RequestInfo(String method, String host, String path, HttpHeaders headers, String peerIp, String clientIp,
		boolean viaTrustedProxy) {

	public static RequestInfo of(ServerHttpRequest request, TrustedProxies trustedProxies) {
		InetSocketAddress remote = request.getRemoteAddress();
		String peer = (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : "";
		HttpHeaders headers = request.getHeaders();
		boolean trusted = trustedProxies.trusts(peer);
		String client = trusted ? trustedProxies.clientIp(peer, headers.getOrEmpty("X-Forwarded-For")) : peer;
		return new RequestInfo(request.getMethod().name(), hostWithoutPort(headers.getFirst(HttpHeaders.HOST)),
				request.getPath().value(), headers, peer, client, trusted);
	}

	/** This request with other headers (the client's, with the identity headers a filter derived). */
	public RequestInfo withHeaders(HttpHeaders replaced) {
		return new RequestInfo(method, host, path, HttpHeaders.readOnlyHttpHeaders(replaced), peerIp, clientIp, viaTrustedProxy);
	}

	/** The first value of a header, or "" when absent. */
	public String header(String name) {
		String value = headers.getFirst(name);
		return (value != null) ? value : "";
	}

	/** The value of a request cookie; null when absent. */
	public @Nullable String cookie(String name) {
		for (String line : headers.getOrEmpty(HttpHeaders.COOKIE)) {
			for (String pair : line.split(";")) {
				int eq = pair.indexOf('=');
				if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
					return pair.substring(eq + 1).trim();
				}
			}
		}
		return null;
	}

	/**
	 * The client address used for ipHash: the forwarded client behind a trusted proxy, otherwise
	 * Easegress's choice (see {@link RealIp}).
	 */
	public String realIp() {
		return viaTrustedProxy ? clientIp : RealIp.of(headers, peerIp);
	}

	static String hostWithoutPort(@Nullable String host) {
		if (host == null) {
			return "";
		}
		String h = host.trim().toLowerCase(java.util.Locale.ROOT);
		if (h.startsWith("[")) {
			int end = h.indexOf(']');
			return (end > 0) ? h.substring(0, end + 1) : h;
		}
		int colon = h.indexOf(':');
		return (colon >= 0) ? h.substring(0, colon) : h;
	}

	/**
	 * A request made of these parts (tests, health probes).
	 * @param hostHeader the Host header; null when the request has none
	 */
	public static RequestInfo of(String method, @Nullable String hostHeader, String path, HttpHeaders headers, String peerIp) {
		return new RequestInfo(method, hostWithoutPort(hostHeader), path, HttpHeaders.readOnlyHttpHeaders(headers), peerIp,
				peerIp, false);
	}
}
