package io.wsgate.config;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * One listener ({@code wsgate.http-servers[i]}).
 *
 * @param name unique name, used in logs and metrics
 * @param port TCP port (0 = any free port, for tests; null: not given, a problem of the validator)
 * @param address bind address (default 0.0.0.0)
 * @param rules routing rules; the first matching rule and path wins
 * @param handshakeTimeout time a client has to send its whole handshake request (default 10s; 408 after)
 * @param maxHeaderSize largest request head accepted (default 8KB; 431 above)
 * @param tls serve https/wss on this port (null: none, the default)
 * @param proxyProtocol every connection starts with a PROXY protocol header (v1 or v2) from an L4 load
 * balancer, whose client address then counts as the peer's (default false)
 * @param trustedProxies addresses or CIDR ranges of the proxies in front: from them, X-Forwarded-For
 * names the client and X-Forwarded-Proto/-Host are kept (default none)
 * @param ipFilter the client addresses this server serves, 403 for others (null: all, the default)
 * @param maxConnections most connections open at once on this port, upgraded sessions included
 * (Easegress's key; 0 = unlimited, the default): a connection over it is closed at once
 * @param kind optional, {@code HTTPServer}: the kind line of an Easegress object, so its spec pastes whole
 */
public record HttpServerSpec(String name, @Nullable Integer port, @DefaultValue(HttpServerSpec.DEFAULT_ADDRESS) String address,
		List<RuleSpec> rules, @DefaultValue("10s") Duration handshakeTimeout, @DefaultValue("8KB") DataSize maxHeaderSize,
		@Nullable TlsSpec tls, @DefaultValue("false") boolean proxyProtocol, List<String> trustedProxies,
		@Nullable IpFilterSpec ipFilter, @DefaultValue("0") int maxConnections, String kind) {

	/** The Easegress kind of the object this spec is the body of. */
	public static final String KIND = "HTTPServer";

	/** The bind address when none is given, or a blank one. */
	static final String DEFAULT_ADDRESS = "0.0.0.0";

	public HttpServerSpec {
		name = Specs.text(name);
		kind = Specs.text(kind);
		address = address.isBlank() ? DEFAULT_ADDRESS : address;
		rules = Specs.list(rules);
		trustedProxies = Specs.list(trustedProxies);
	}

	/**
	 * TLS of a listener: a Spring Boot SSL bundle, or PEM locations.
	 *
	 * @param bundle the name of a {@code spring.ssl.bundle.*} bundle
	 * @param cert certificate chain PEM location ({@code file:} or {@code classpath:})
	 * @param key private key PEM location
	 * @param clientAuth {@code none} (default), {@code want} or {@code need} a client certificate
	 * @param clientCa PEM location of the CAs that client certificates must chain to
	 */
	public record TlsSpec(String bundle, String cert, String key, @DefaultValue(TlsSpec.DEFAULT_CLIENT_AUTH) String clientAuth,
			String clientCa) {

		/** The setting when none is given, or a blank one. */
		static final String DEFAULT_CLIENT_AUTH = "none";

		public TlsSpec {
			bundle = Specs.text(bundle);
			cert = Specs.text(cert);
			key = Specs.text(key);
			clientAuth = clientAuth.isBlank() ? DEFAULT_CLIENT_AUTH : clientAuth;
			clientCa = Specs.text(clientCa);
		}

		/** The setting {@code clientAuth} names (null: it names none, a problem of the validator). */
		public @Nullable ClientAuth parsedClientAuth() {
			return Spelled.parse(ClientAuth.class, clientAuth);
		}
	}

	/** The values of {@code tls.clientAuth}. */
	public enum ClientAuth implements Spelled {

		NONE("none"), WANT("want"), NEED("need");

		private final String spelling;

		ClientAuth(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}

	/**
	 * A host rule with its paths.
	 *
	 * @param host exact host, or one leading or trailing {@code *}; empty = any host
	 * @param paths path rules, tried in order
	 * @param ipFilter the client addresses this rule serves, besides the server's filter, 403 for others (null: all)
	 */
	public record RuleSpec(String host, List<PathSpec> paths, @Nullable IpFilterSpec ipFilter) {

		public RuleSpec {
			host = Specs.text(host);
			paths = Specs.list(paths);
		}
	}

	/**
	 * A path rule routing to a pipeline. Exactly one of {@code path}, {@code pathPrefix},
	 * {@code pathRegexp} may be set; none set matches every path.
	 *
	 * @param path exact path
	 * @param pathPrefix path prefix
	 * @param pathRegexp regular expression, searched (find semantics)
	 * @param methods allowed methods; a mismatch answers 405
	 * @param headers required headers; a mismatch answers 400
	 * @param clientMaxBodySize accepted for Easegress compatibility; an upgrade body is never buffered (null: not given)
	 * @param backend name of the pipeline
	 * @param ipFilter the client addresses this path serves, besides the server's and rule's, 403 for others
	 * (null: all)
	 */
	public record PathSpec(String path, String pathPrefix, String pathRegexp, List<String> methods,
			List<HeaderRuleSpec> headers, @Nullable Long clientMaxBodySize, String backend, @Nullable IpFilterSpec ipFilter) {

		public PathSpec {
			path = Specs.text(path);
			pathPrefix = Specs.text(pathPrefix);
			pathRegexp = Specs.text(pathRegexp);
			methods = Specs.list(methods);
			headers = Specs.list(headers);
			backend = Specs.text(backend);
		}
	}

	/**
	 * A header the request must carry: one of {@code values}, or a match of {@code regexp}.
	 *
	 * @param key header name
	 * @param values accepted values (exact)
	 * @param regexp accepted pattern (find semantics)
	 */
	public record HeaderRuleSpec(String key, List<String> values, String regexp) {

		public HeaderRuleSpec {
			key = Specs.text(key);
			values = Specs.list(values);
			regexp = Specs.text(regexp);
		}
	}
}
