package io.wsgate.filter.validator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.wsgate.pipeline.BackendRequest;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Where the client's JWT is looked for, in this order: the {@code cookieName} cookie, the
 * {@code queryParam} query parameter, an offered subprotocol {@code <subprotocolPrefix><token>},
 * then {@code Authorization: Bearer}. The query parameter and the subprotocol are taken out of what
 * the backend receives whichever source the token came from, so the token never travels on there.
 */
final class TokenSources {

	static final String SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol";

	private static final String BEARER = "bearer ";

	private final String cookieName;

	private final String queryParam;

	private final String subprotocolPrefix;

	TokenSources(String cookieName, String queryParam, String subprotocolPrefix) {
		this.cookieName = cookieName;
		this.queryParam = queryParam;
		this.subprotocolPrefix = subprotocolPrefix;
	}

	/** Drops the query and subprotocol copies from the backend's handshake; then the token; null when there is none. */
	@Nullable String take(ServerHttpRequest request, BackendRequest backend) {
		String fromQuery = queryParam.isEmpty() ? null : takeQueryParam(request.getURI().getRawQuery(), backend);
		String fromSubprotocol = subprotocolPrefix.isEmpty() ? null : takeSubprotocol(request.getHeaders(), backend);
		if (!cookieName.isEmpty()) {
			HttpCookie cookie = request.getCookies().getFirst(cookieName);
			if (cookie != null && !cookie.getValue().isEmpty()) {
				return cookie.getValue();
			}
		}
		if (fromQuery != null) {
			return fromQuery;
		}
		if (fromSubprotocol != null) {
			return fromSubprotocol;
		}
		return bearer(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
	}

	/** The token of {@code Authorization: Bearer <token>}; null when there is none. */
	static @Nullable String bearer(@Nullable String authorization) {
		if (authorization == null || authorization.length() <= BEARER.length()
				|| !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		String token = authorization.substring(BEARER.length()).trim();
		return token.isEmpty() ? null : token;
	}

	private @Nullable String takeQueryParam(String rawQuery, BackendRequest backend) {
		if (rawQuery == null || rawQuery.isEmpty()) {
			return null;
		}
		String token = null;
		boolean found = false;
		for (String part : rawQuery.split("&")) {
			int equals = part.indexOf('=');
			String name = decode((equals < 0) ? part : part.substring(0, equals));
			if (name.equals(queryParam)) {
				found = true;
				String value = (equals < 0) ? "" : decode(part.substring(equals + 1));
				if (token == null && !value.isEmpty()) {
					token = value;
				}
			}
		}
		if (found) {
			backend.pathAndQuery(withoutParam(backend.pathAndQuery(), queryParam));
		}
		return token;
	}

	/** {@code pathAndQuery} (raw) without any occurrence of the parameter {@code name}. */
	static String withoutParam(String pathAndQuery, String name) {
		int question = pathAndQuery.indexOf('?');
		if (question < 0) {
			return pathAndQuery;
		}
		List<String> kept = new ArrayList<>();
		for (String part : pathAndQuery.substring(question + 1).split("&")) {
			int equals = part.indexOf('=');
			if (!part.isEmpty() && !decode((equals < 0) ? part : part.substring(0, equals)).equals(name)) {
				kept.add(part);
			}
		}
		String path = pathAndQuery.substring(0, question);
		return kept.isEmpty() ? path : path + "?" + String.join("&", kept);
	}

	private @Nullable String takeSubprotocol(HttpHeaders headers, BackendRequest backend) {
		List<String> offers = headers.get(SUBPROTOCOL_HEADER);
		if (offers == null) {
			return null;
		}
		String token = null;
		for (String offer : offers) {
			for (String protocol : offer.split(",")) {
				String trimmed = protocol.trim();
				if (trimmed.startsWith(subprotocolPrefix)) {
					backend.removeSubprotocol(trimmed);
					if (token == null && trimmed.length() > subprotocolPrefix.length()) {
						token = trimmed.substring(subprotocolPrefix.length());
					}
				}
			}
		}
		return token;
	}

	private static String decode(String raw) {
		try {
			return URLDecoder.decode(raw, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return raw;
		}
	}
}
