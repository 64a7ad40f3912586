package io.wsgate.proxy.dial;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.wsgate.request.RequestInfo;
import org.jspecify.annotations.Nullable;

/**
 * The request headers sent to the backend: the client's, minus hop-by-hop headers (RFC 9110
 * 7.6.1, including those named in {@code Connection}) and the handshake headers the client
 * library sets itself, plus {@code X-Forwarded-For/Host/Proto} and the {@code defaultOrigin}.
 * Read from Netty's request headers: Spring's view of them builds a case-insensitive map and a
 * list per name on every pass, on the handshake's hot path; and read as Netty holds them, without
 * a String copy or a lower-cased copy of each header.
 */
public final class BackendHeaders {

	/** Lower case; compared without regard to case (header names are ASCII tokens, as Netty's decoder checked). */
	private static final AsciiString[] NOT_FORWARDED = names("connection", "keep-alive", "proxy-connection", "te",
			"trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "host",
			"content-length", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
			"sec-websocket-protocol", "sec-websocket-accept", "x-forwarded-host", "x-forwarded-proto",
			"x-forwarded-for");

	private BackendHeaders() {
	}

	/**
	 * @param client the client's request headers, as Netty decoded them
	 * @param request the peer's address, and whether it is a trusted proxy, whose X-Forwarded-Proto and
	 * X-Forwarded-Host then describe the client's own request and are kept
	 * @param secure whether the client connection uses TLS
	 * @param defaultOrigin the Origin to send when the client sent none ("" for none)
	 */
	public static DefaultHttpHeaders build(HttpHeaders client, RequestInfo request, boolean secure, String defaultOrigin) {
		List<String> connectionTokens = connectionTokens(client.getAll(HttpHeaderNames.CONNECTION));
		DefaultHttpHeaders headers = new DefaultHttpHeaders();
		// Read as Netty holds them: no String copy of each name and value, no lower-cased name.
		Iterator<Map.Entry<CharSequence, CharSequence>> entries = client.iteratorCharSequence();
		while (entries.hasNext()) {
			Map.Entry<CharSequence, CharSequence> header = entries.next();
			CharSequence name = header.getKey();
			if (!isNotForwarded(name) && !isNamed(connectionTokens, name)) {
				headers.add(name, header.getValue());
			}
		}
		String peerIp = request.peerIp();
		List<String> forwardedFor = client.getAll("X-Forwarded-For");
		headers.set("X-Forwarded-For",
				forwardedFor.isEmpty() ? peerIp : String.join(", ", forwardedFor) + ", " + peerIp);
		String host = client.get(HttpHeaderNames.HOST);
		String forwardedHost = request.viaTrustedProxy() ? client.get("X-Forwarded-Host") : null;
		if (forwardedHost != null) {
			headers.set("X-Forwarded-Host", forwardedHost);
		}
		else if (host != null && !host.isEmpty()) {
			headers.set("X-Forwarded-Host", host);
		}
		String forwardedProto = request.viaTrustedProxy() ? client.get("X-Forwarded-Proto") : null;
		headers.set("X-Forwarded-Proto", (forwardedProto != null) ? forwardedProto : (secure ? "https" : "http"));
		if (!defaultOrigin.isEmpty() && !client.contains(HttpHeaderNames.ORIGIN)) {
			headers.set(HttpHeaderNames.ORIGIN, defaultOrigin);
		}
		return headers;
	}

	/** The client's offered subprotocols as one comma-separated list; null when none. */
	public static @Nullable String subprotocols(HttpHeaders client) {
		List<String> offered = client.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		return offered.isEmpty() ? null : String.join(",", offered);
	}

	private static boolean isNotForwarded(CharSequence name) {
		return isNamed(NOT_FORWARDED, name);
	}

	private static boolean isNamed(AsciiString[] names, CharSequence name) {
		for (AsciiString candidate : names) {
			if (candidate.length() == name.length() && candidate.contentEqualsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isNamed(List<String> names, CharSequence name) {
		for (String candidate : names) {
			if (candidate.length() == name.length() && AsciiString.contentEqualsIgnoreCase(candidate, name)) {
				return true;
			}
		}
		return false;
	}

	/** The names the Connection header lists, lower case (a handshake's lists one: upgrade). */
	private static List<String> connectionTokens(List<String> connection) {
		if (connection.isEmpty()) {
			return List.of();
		}
		List<String> tokens = new ArrayList<>(2);
		for (String value : connection) {
			for (String token : value.split(",")) {
				String name = token.trim().toLowerCase(Locale.ROOT);
				if (!name.isEmpty()) {
					tokens.add(name);
				}
			}
		}
		return tokens;
	}

	private static AsciiString[] names(String... names) {
		AsciiString[] ascii = new AsciiString[names.length];
		for (int i = 0; i < names.length; i++) {
			ascii[i] = AsciiString.cached(names[i]);
		}
		return ascii;
	}
}
