package io.wsgate.config.easegress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import io.wsgate.config.HttpServerSpec;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.pem.PemContent;

/**
 * Maps an Easegress {@code HTTPServer} object to the tree of a wsgate {@link HttpServerSpec}. Every
 * key is mapped, accepted because wsgate behaves as that value asks, or reported as not supported;
 * none is dropped. docs/configuration.md ("Easegress files") has the table.
 */
final class HttpServerObject {

	static final String NOT_SUPPORTED = "not supported by wsgate";

	private final BiConsumer<String, String> problems;

	/** @param problems told each problem: the key path in the object, and what is wrong */
	private HttpServerObject(BiConsumer<String, String> problems) {
		this.problems = problems;
	}

	/** The wsgate http server tree of {@code object}; its problems are told to {@code problems}. */
	static Map<String, Object> map(Map<String, Object> object, BiConsumer<String, String> problems) {
		return new HttpServerObject(problems).server(object);
	}

	private Map<String, Object> server(Map<String, Object> object) {
		Map<String, Object> server = new LinkedHashMap<>();
		Map<String, Object> tlsKeys = new LinkedHashMap<>();
		Object bodySize = null;
		Object https = null;
		for (Map.Entry<String, Object> entry : object.entrySet()) {
			String key = entry.getKey();
			Object value = entry.getValue();
			switch (key) {
				case "name", "kind", "port", "address", "ipFilter", "maxConnections" -> server.put(key, value);
				case "rules" -> server.put(key, rules(value));
				case "https" -> https = bool(key, value);
				case "certBase64", "keyBase64", "caCertBase64", "certs", "keys" -> tlsKeys.put(key, value);
				case "keepAliveTimeout" -> {
					Duration timeout = (value != null) ? GoDuration.parse(value.toString()) : null;
					if (timeout == null) {
						problems.accept(key, "'" + value + "' is not a duration (e.g. 60s, 1m30s)");
					}
					else if (timeout.isNegative() || timeout.isZero()) {
						problems.accept(key, "must be positive");
					}
					else {
						server.put("handshakeTimeout", timeout);
					}
				}
				case "keepAlive" -> onlyIf(key, value, true, "connections are always kept alive between requests");
				case "http3" -> onlyIf(key, value, false, "WebSocket runs over HTTP/1.1");
				case "autoCert" -> onlyIf(key, value, false,
						"give the certificate in certs/keys (or certBase64/keyBase64), or use a wsgate.http-servers tls bundle");
				case "xForwardedFor" -> bool(key, value);
				case "cacheSize" -> number(key, value);
				case "clientMaxBodySize" -> bodySize = number(key, value);
				case "routerKind" -> {
					if (value != null && !"".equals(value) && !"Ordered".equals(value)) {
						problems.accept(key, "'" + value + "' is " + NOT_SUPPORTED
								+ ": rules and paths are tried in order, the first match wins (Ordered)");
					}
				}
				case "tracing" -> problems.accept(key, NOT_SUPPORTED
						+ ": handshakes are traced when an OTLP endpoint is set (management.opentelemetry.*)");
				case "accessLogFormat" -> problems.accept(key, NOT_SUPPORTED
						+ ": wsgate.access-log.format (kv or json) sets the access log of the gateway");
				default -> problems.accept(key, NOT_SUPPORTED);
			}
		}
		if (Boolean.TRUE.equals(https)) {
			Map<String, Object> tls = tls(tlsKeys);
			if (tls != null) {
				server.put("tls", tls);
			}
		}
		else {
			tlsKeys.keySet().forEach(key -> problems.accept(key, "is used only with https: true (set it, or remove " + key + ")"));
		}
		if (bodySize != null && server.get("rules") instanceof List<?> rules) {
			// As Easegress: the server's clientMaxBodySize is the default of its paths.
			for (Object rule : rules) {
				if (rule instanceof Map<?, ?> r && r.get("paths") instanceof List<?> paths) {
					for (Object path : paths) {
						if (path instanceof Map<?, ?> p) {
							@SuppressWarnings("unchecked")
							Map<String, Object> mapped = (Map<String, Object>) p;
							mapped.putIfAbsent("clientMaxBodySize", bodySize);
						}
					}
				}
			}
		}
		return server;
	}

	/** Easegress's certificate keys as one certificate and key (PEM text), and the client CA. */
	private @Nullable Map<String, Object> tls(Map<String, Object> keys) {
		Map<String, Object> tls = new LinkedHashMap<>();
		boolean single = keys.containsKey("certBase64") || keys.containsKey("keyBase64");
		Map<String, Object> certs = map("certs", keys.get("certs"));
		Map<String, Object> privateKeys = map("keys", keys.get("keys"));
		if (single && !certs.isEmpty()) {
			problems.accept("certs", NOT_SUPPORTED + " beside certBase64/keyBase64: an http server serves one certificate");
			return null;
		}
		if (single) {
			String cert = pem("certBase64", keys.get("certBase64"), true, true);
			String key = pem("keyBase64", keys.get("keyBase64"), true, false);
			if (cert == null || key == null) {
				return null;
			}
			tls.put("cert", cert);
			tls.put("key", key);
		}
		else if (certs.size() > 1) {
			problems.accept("certs", "several certificates (chosen by SNI) are " + NOT_SUPPORTED
					+ ": one per http server (or one bundle with all the names)");
			return null;
		}
		else if (certs.size() == 1) {
			String name = certs.keySet().iterator().next();
			privateKeys.keySet().stream().filter(other -> !other.equals(name))
				.forEach(other -> problems.accept("keys." + other, "no certificate '" + other + "' in certs"));
			if (!privateKeys.containsKey(name)) {
				problems.accept("keys", "no key for certificate '" + name + "'");
				return null;
			}
			String cert = pem("certs." + name, certs.get(name), false, true);
			String key = pem("keys." + name, privateKeys.get(name), false, false);
			if (cert == null || key == null) {
				return null;
			}
			tls.put("cert", cert);
			tls.put("key", key);
		}
		else {
			problems.accept("https", "true needs certBase64 and keyBase64, or certs and keys");
			return null;
		}
		if (keys.containsKey("caCertBase64")) {
			String ca = pem("caCertBase64", keys.get("caCertBase64"), true, true);
			if (ca != null) {
				// As Easegress: a client CA means every client must show a certificate it signed.
				tls.put("clientCa", ca);
				tls.put("clientAuth", "need");
			}
		}
		return tls;
	}

	/**
	 * The PEM text of a certificate or key value: base64 of PEM ({@code base64Only}, as
	 * {@code certBase64}), or either base64 or PEM itself (as {@code certs} values), checked.
	 */
	private @Nullable String pem(String key, @Nullable Object value, boolean base64Only, boolean certificate) {
		String text = (value != null) ? value.toString().strip() : "";
		String pem;
		try {
			pem = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			if (base64Only) {
				problems.accept(key, "is not base64 (of a PEM " + (certificate ? "certificate" : "private key") + ")");
				return null;
			}
			pem = text;
		}
		try {
			PemContent content = PemContent.of(pem);
			boolean found = (content != null) && (certificate ? !content.getCertificates().isEmpty() : content.getPrivateKey() != null);
			if (!found) {
				problems.accept(key, "holds no PEM " + (certificate ? "certificate" : "private key"));
				return null;
			}
		}
		catch (IllegalStateException | IllegalArgumentException ex) {
			problems.accept(key, "holds no valid PEM " + (certificate ? "certificate" : "private key") + ": " + ex.getMessage());
			return null;
		}
		return pem;
	}

	private List<Object> rules(@Nullable Object value) {
		List<Object> rules = new ArrayList<>();
		List<?> list = list("rules", value);
		for (int r = 0; r < list.size(); r++) {
			String path = "rules[" + r + "]";
			Map<String, Object> rule = map(path, list.get(r));
			Map<String, Object> mapped = new LinkedHashMap<>();
			for (Map.Entry<String, Object> entry : rule.entrySet()) {
				String key = entry.getKey();
				Object item = entry.getValue();
				switch (key) {
					case "host", "ipFilter" -> mapped.put(key, item);
					case "paths" -> mapped.put(key, paths(path + ".paths", item));
					case "hosts" -> hosts(path, rule, item, mapped);
					case "hostRegexp" -> problems.accept(path + "." + key, NOT_SUPPORTED
							+ ": a host is exact, or has one leading or trailing '*'");
					default -> problems.accept(path + "." + key, NOT_SUPPORTED);
				}
			}
			rules.add(mapped);
		}
		return rules;
	}

	/** {@code hosts}: one exact or wildcard host is a rule's {@code host}; more, or a regexp, are not supported. */
	private void hosts(String path, Map<String, Object> rule, @Nullable Object value, Map<String, Object> mapped) {
		List<?> hosts = list(path + ".hosts", value);
		Object first = null;
		for (int h = 0; h < hosts.size(); h++) {
			Map<String, Object> host = map(path + ".hosts[" + h + "]", hosts.get(h));
			first = (h == 0) ? host.get("value") : first;
			for (String key : host.keySet()) {
				if (!key.equals("value") && !key.equals("isRegexp")) {
					problems.accept(path + ".hosts[" + h + "]." + key, NOT_SUPPORTED);
				}
			}
			if (Boolean.TRUE.equals(bool(path + ".hosts[" + h + "].isRegexp", host.get("isRegexp")))) {
				problems.accept(path + ".hosts[" + h + "].isRegexp", "true is " + NOT_SUPPORTED
						+ ": a host is exact, or has one leading or trailing '*'");
			}
		}
		if (hosts.size() > 1 || (hosts.size() == 1 && rule.containsKey("host"))) {
			problems.accept(path + ".hosts", "several hosts in one rule are " + NOT_SUPPORTED
					+ ": a rule has one host (write one rule per host)");
		}
		else if (first != null) {
			mapped.put("host", first);
		}
	}

	private List<Object> paths(String path, @Nullable Object value) {
		List<Object> paths = new ArrayList<>();
		List<?> list = list(path, value);
		for (int p = 0; p < list.size(); p++) {
			String at = path + "[" + p + "]";
			Map<String, Object> mapped = new LinkedHashMap<>();
			Object matchAll = null;
			for (Map.Entry<String, Object> entry : map(at, list.get(p)).entrySet()) {
				String key = entry.getKey();
				switch (key) {
					case "path", "pathPrefix", "pathRegexp", "methods", "backend", "headers", "clientMaxBodySize",
							"ipFilter" -> mapped.put(key, entry.getValue());
					case "matchAllHeader" -> matchAll = bool(at + "." + key, entry.getValue());
					case "rewriteTarget", "setHeaders" -> problems.accept(at + "." + key, NOT_SUPPORTED
							+ ": a RequestAdaptor filter in the pipeline rewrites the path and headers sent to the backend");
					case "backendPool" -> problems.accept(at + "." + key, NOT_SUPPORTED
							+ ": name a pipeline with a WebSocketProxy filter in backend");
					default -> problems.accept(at + "." + key, NOT_SUPPORTED);
				}
			}
			headers(at, mapped.get("headers"), Boolean.TRUE.equals(matchAll));
			paths.add(mapped);
		}
		return paths;
	}

	/**
	 * wsgate requires every header rule, and either of a rule's values and regexp: Easegress's
	 * {@code matchAllHeader} means that with one header, or with true and one of values/regexp per header.
	 */
	private void headers(String path, @Nullable Object value, boolean matchAll) {
		if (value == null) {
			return;
		}
		List<?> headers = list(path + ".headers", value);
		if (headers.size() > 1 && !matchAll) {
			problems.accept(path + ".headers", "any one of several headers matching (matchAllHeader: false) is "
					+ NOT_SUPPORTED + ": every header must match (matchAllHeader: true)");
		}
		for (int h = 0; h < headers.size(); h++) {
			if (matchAll && headers.get(h) instanceof Map<?, ?> header && header.get("values") != null
					&& header.get("regexp") != null) {
				problems.accept(path + ".headers[" + h + "]", "values and regexp both matching (matchAllHeader: true) is "
						+ NOT_SUPPORTED + ": either one matching is enough");
			}
		}
	}

	/** Accepts the value that is what wsgate does; any other is not supported. */
	private void onlyIf(String key, @Nullable Object value, boolean expected, String why) {
		Boolean given = bool(key, value);
		if (given != null && given != expected) {
			problems.accept(key, given + " is " + NOT_SUPPORTED + ": " + why);
		}
	}

	private @Nullable Boolean bool(String key, @Nullable Object value) {
		if (value == null || value instanceof Boolean) {
			return (Boolean) value;
		}
		problems.accept(key, "'" + value + "' (expected: true or false)");
		return null;
	}

	private @Nullable Object number(String key, @Nullable Object value) {
		if (value != null && !(value instanceof Number)) {
			problems.accept(key, "'" + value + "' (expected: a number)");
			return null;
		}
		return value;
	}

	private List<?> list(String key, @Nullable Object value) {
		if (value == null) {
			return List.of();
		}
		if (value instanceof List<?> list) {
			return list;
		}
		problems.accept(key, "expected a list");
		return List.of();
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> map(String key, @Nullable Object value) {
		if (value == null) {
			return Map.of();
		}
		if (value instanceof Map<?, ?> map) {
			return (Map<String, Object>) map;
		}
		problems.accept(key, "expected an object");
		return Map.of();
	}
}
