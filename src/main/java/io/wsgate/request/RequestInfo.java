package io.wsgate.request;

import java.net.InetSocketAddress;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The parts of an incoming handshake that routing and load balancing look at.
 *
 * @param method request method, upper case
 * @param host the Host header without its port, lower case
 * @param path the request path (no query)
 * @param headers request headers (read-only)
 * @param peerIp the address of the TCP peer
 */
public record RequestInfo(String method, String host, String path, HttpHeaders headers, String peerIp) {

	public static RequestInfo of(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		String peer = (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : "";
		return new RequestInfo(request.getMethod().name(), hostWithoutPort(request.getHeaders().getFirst(HttpHeaders.HOST)),
				request.getPath().value(), request.getHeaders(), peer);
	}

	/** The first value of a header, or "" when absent. */
	public String header(String name) {
		String value = headers.getFirst(name);
		return (value != null) ? value : "";
	}

	/** The value of a request cookie, or null when absent. */
	public String cookie(String name) {
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

	/** The client address used for ipHash: see {@link RealIp}. */
	public String realIp() {
		return RealIp.of(headers, peerIp);
	}

	static String hostWithoutPort(String host) {
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

	/** A request made of these parts (tests, health probes). */
	public static RequestInfo of(String method, String hostHeader, String path, HttpHeaders headers, String peerIp) {
		return new RequestInfo(method, hostWithoutPort(hostHeader), path, HttpHeaders.readOnlyHttpHeaders(headers), peerIp);
	}
}
