package io.wsgate.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * What filters change in the handshake the proxy sends to the backend: its path and query, its
 * Host, its headers and the subprotocols offered. Filters run one after the other, so this needs no
 * locking. The client's request itself is never changed: routing, ipFilter, load balancing and the
 * access log see what the client sent, except for the identity headers that load balancing sees
 * ({@link #setIdentityHeader}).
 */
public final class BackendRequest {

	private final String clientPathAndQuery;

	/** The path and query for the backend; null: the client's. */
	private @Nullable String pathAndQuery;

	/** The Host for the backend; null: the server's. */
	private @Nullable String host;

	// Made when first needed: most handshakes change nothing.
	private List<Consumer<HttpHeaders>> headerEdits = List.of();

	private Set<String> removedSubprotocols = Set.of();

	private Map<String, String> identityHeaders = Map.of();

	/** @param clientPathAndQuery the raw path and query the client asked for */
	public BackendRequest(String clientPathAndQuery) {
		this.clientPathAndQuery = clientPathAndQuery;
	}

	/** The raw path and query to send: the client's, unless a filter changed it. */
	public String pathAndQuery() {
		return (pathAndQuery != null) ? pathAndQuery : clientPathAndQuery;
	}

	/** Sends this raw path and query (already encoded) instead. */
	public void pathAndQuery(String rawPathAndQuery) {
		this.pathAndQuery = rawPathAndQuery;
	}

	/** The Host header to send; null: the client's own. */
	public @Nullable String host() {
		return host;
	}

	public void host(String host) {
		this.host = host;
	}

	/** Replaces every value of a header. */
	public void setHeader(String name, String value) {
		edit(headers -> headers.set(name, value));
	}

	/** Adds a value to a header. */
	public void addHeader(String name, String value) {
		edit(headers -> headers.add(name, value));
	}

	/** Removes a header, the client's copies included. */
	public void removeHeader(String name) {
		edit(headers -> headers.remove(name));
	}

	private void edit(Consumer<HttpHeaders> change) {
		if (headerEdits.isEmpty()) {
			headerEdits = new ArrayList<>();
		}
		headerEdits.add(change);
	}

	/**
	 * Sets a header that says who the client is (a claim of its verified token): the client's own
	 * copies are dropped, so it cannot be forged. Unlike the other changes, load balancing
	 * ({@code headerHash}) and candidate pools see it too.
	 */
	public void setIdentityHeader(String name, String value) {
		if (identityHeaders.isEmpty()) {
			identityHeaders = new LinkedHashMap<>();
		}
		identityHeaders.put(name, value);
		setHeader(name, value);
	}

	/** The identity headers set so far, in the order they were set. */
	public Map<String, String> identityHeaders() {
		return identityHeaders.isEmpty() ? Map.of() : Collections.unmodifiableMap(identityHeaders);
	}

	/** Whether any header was changed. */
	public boolean changesHeaders() {
		return !headerEdits.isEmpty();
	}

	/** Applies the header changes, in the order the filters made them, to the headers to send. */
	public void applyHeaders(HttpHeaders headers) {
		for (Consumer<HttpHeaders> edit : headerEdits) {
			edit.accept(headers);
		}
	}

	/** Takes a subprotocol the client offered out of the offer sent on (a token carried there, say). */
	public void removeSubprotocol(String subprotocol) {
		if (removedSubprotocols.isEmpty()) {
			removedSubprotocols = new LinkedHashSet<>();
		}
		removedSubprotocols.add(subprotocol);
	}

	/**
	 * The client's comma-separated subprotocol offer without the removed ones; null when nothing is
	 * left (or nothing was offered).
	 */
	public @Nullable String subprotocols(@Nullable String offered) {
		if (offered == null || removedSubprotocols.isEmpty()) {
			return offered;
		}
		List<String> kept = new ArrayList<>();
		for (String protocol : offered.split(",")) {
			String trimmed = protocol.trim();
			if (!trimmed.isEmpty() && !removedSubprotocols.contains(trimmed)) {
				kept.add(trimmed);
			}
		}
		return kept.isEmpty() ? null : String.join(",", kept);
	}
}
