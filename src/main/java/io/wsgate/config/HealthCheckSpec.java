package io.wsgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Active health check of a pool's servers ({@code pools[i].healthCheck}). A server is healthy only
 * while it passes every configured sub-check.
 *
 * @param interval time between two checks of a server (default 60s)
 * @param timeout time allowed for one check (default 3s)
 * @param fails consecutive failures that mark a server unhealthy (default 1)
 * @param pass consecutive successes that mark it healthy again (null: {@code passes}, else 1)
 * @param passes Easegress's spelling of {@code pass}
 * @param http an HTTP request check (null: none)
 * @param ws a WebSocket handshake check (null: none)
 */
public record HealthCheckSpec(@DefaultValue("60s") Duration interval, @DefaultValue("3s") Duration timeout,
		@DefaultValue("1") int fails, @Nullable Integer pass, @Nullable Integer passes, @Nullable HttpCheckSpec http,
		@Nullable WsCheckSpec ws) {

	/** Consecutive successes needed to recover, from {@code pass} or its alias {@code passes}. */
	public int successesToRecover() {
		return (pass != null) ? pass : (passes != null) ? passes : 1;
	}

	/**
	 * A WebSocket handshake to the server.
	 *
	 * @param port port to check (default: the server's)
	 * @param uri path and query (default: the server URL's)
	 * @param headers request headers
	 * @param match what makes the answer healthy (default: status 101)
	 */
	public record WsCheckSpec(@DefaultValue("0") int port, String uri, Map<String, String> headers,
			@DefaultValue MatchSpec match) {

		public WsCheckSpec {
			uri = Specs.text(uri);
			headers = Specs.map(headers);
		}
	}

	/**
	 * An HTTP request to the server (ws:// checked as http://, wss:// as https://).
	 *
	 * @param port port to check (default: the server's)
	 * @param uri path and query (default: the server URL's)
	 * @param method request method (default GET)
	 * @param headers request headers
	 * @param body request body
	 * @param username Basic auth user (with password)
	 * @param password Basic auth password
	 * @param match what makes the answer healthy (default: status 200..399)
	 */
	public record HttpCheckSpec(@DefaultValue("0") int port, String uri,
			@DefaultValue(HttpCheckSpec.DEFAULT_METHOD) String method, Map<String, String> headers, String body,
			String username, String password, @DefaultValue MatchSpec match) {

		/** The method when none is given, or a blank one. */
		static final String DEFAULT_METHOD = "GET";

		public HttpCheckSpec {
			uri = Specs.text(uri);
			method = method.isBlank() ? DEFAULT_METHOD : method;
			headers = Specs.map(headers);
			body = Specs.text(body);
			username = Specs.text(username);
			password = Specs.text(password);
		}
	}

	/**
	 * Conditions on a check's answer; all must hold.
	 *
	 * @param statusCodes inclusive ranges, e.g. [[200, 399]]; empty = the check's default
	 * @param headers response header rules
	 * @param body response body rule, http only (null: none)
	 */
	public record MatchSpec(List<List<Integer>> statusCodes, List<HeaderMatchSpec> headers, @Nullable BodyMatchSpec body) {

		public MatchSpec {
			statusCodes = Specs.list(statusCodes);
			headers = Specs.list(headers);
		}
	}

	/**
	 * A response header rule on the header's first value.
	 *
	 * @param name header name
	 * @param value expected value, or pattern
	 * @param type {@code exact} (default) or {@code regexp} (searched)
	 */
	public record HeaderMatchSpec(String name, String value, String type) {

		public HeaderMatchSpec {
			name = Specs.text(name);
			value = Specs.text(value);
			type = Specs.text(type);
		}

		/** The match {@code type} names, case-sensitive (empty: exact; null: it names none). */
		public @Nullable MatchType parsedType() {
			MatchType parsed = type.isEmpty() ? MatchType.EXACT : Spelled.parseExact(MatchType.class, type);
			return (parsed != MatchType.CONTAINS) ? parsed : null;
		}
	}

	/**
	 * A response body rule.
	 *
	 * @param value text to find, or pattern
	 * @param type {@code contains} (default) or {@code regexp} (searched)
	 */
	public record BodyMatchSpec(String value, String type) {

		public BodyMatchSpec {
			value = Specs.text(value);
			type = Specs.text(type);
		}

		/** The match {@code type} names, case-sensitive (empty: contains; null: it names none). */
		public @Nullable MatchType parsedType() {
			MatchType parsed = type.isEmpty() ? MatchType.CONTAINS : Spelled.parseExact(MatchType.class, type);
			return (parsed != MatchType.EXACT) ? parsed : null;
		}
	}

	/** The values of a header rule's {@code type} (exact, regexp) and of a body rule's (contains, regexp). */
	public enum MatchType implements Spelled {

		EXACT("exact"), CONTAINS("contains"), REGEXP("regexp");

		private final String spelling;

		MatchType(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}
}
