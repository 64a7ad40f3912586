package io.wsgate.config.easegress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.HttpServerSpec.RuleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of docs/configuration.md ("Easegress files"): each HTTPServer key mapped, accepted, or a problem. */
class HttpServerMappingTests {

	/** A self-signed EC certificate for localhost, and its key. */
	static final String CERT = """
			-----BEGIN CERTIFICATE-----
			MIIBfjCCASWgAwIBAgIUC3PY0AddGcB3Gax4t7Qz0NZ+ieUwCgYIKoZIzj0EAwIw
			FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNjA0MDgxNFoYDzIxMjYxMTEy
			MDQwODE0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
			PQMBBwNCAATFR1umVLAaWgI0kyexoEDEYze7/g9O8KYhmFykFEO435JidpNtXeVQ
			mXWiTRpDvwaOptcTYObxTLSS+l4KwpYao1MwUTAdBgNVHQ4EFgQUkyNfX2u2eXXQ
			WO5bu4jXy7GXfxowHwYDVR0jBBgwFoAUkyNfX2u2eXXQWO5bu4jXy7GXfxowDwYD
			VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiACtU9KYR49PPz1D/WK43uw
			M4RDFAqH99djNqlTp2oxmQIga1rPVqNVqn/zo0RGqxOpxNPPQ1bVDHzuIRloNkq3
			AuY=
			-----END CERTIFICATE-----
			""";

	static final String KEY = """
			-----BEGIN PRIVATE KEY-----
			MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfW/sQ6QyRFdHaAJ+
			cE1I7qlZXJ5Ba++d6KrrllJ98vihRANCAATFR1umVLAaWgI0kyexoEDEYze7/g9O
			8KYhmFykFEO435JidpNtXeVQmXWiTRpDvwaOptcTYObxTLSS+l4KwpYa
			-----END PRIVATE KEY-----
			""";

	@TempDir
	Path dir;

	private Path file;

	/** Loads one HTTPServer object made of {@code keys} (YAML at the object's top level) with the seed's rule. */
	private EasegressObjects load(String keys) throws IOException {
		file = Files.writeString(dir.resolve("server.yaml"), "name: s\nkind: HTTPServer\nport: 8080\n" + keys);
		return EasegressLoader.load(List.of("file:" + file), EasegressLoaderTests.catalog());
	}

	private HttpServerSpec server(String keys) throws IOException {
		EasegressObjects objects = load(keys);
		assertThat(objects.problems()).isEmpty();
		return objects.httpServers().get(0).spec();
	}

	private List<String> problems(String keys) throws IOException {
		return load(keys).problems();
	}

	private String at(String key) {
		return "easegress file " + file + ", HTTPServer 's': " + key + ": ";
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	private static final String RULES = """
			rules:
			- paths:
			  - {path: /ws, backend: p}
			""";

	@Test
	void nameKindPortAddressMapToTheirOwn() throws IOException {
		HttpServerSpec server = server("address: 127.0.0.1\n" + RULES);
		assertThat(server.name()).isEqualTo("s");
		assertThat(server.kind()).isEqualTo("HTTPServer");
		assertThat(server.port()).isEqualTo(8080);
		assertThat(server.address()).isEqualTo("127.0.0.1");
		assertThat(server.tls()).isNull();
	}

	@Test
	void maxConnectionsIsTheListenersConnectionCap() throws IOException {
		assertThat(server("maxConnections: 10240\n").maxConnections()).isEqualTo(10240);
		assertThat(server("").maxConnections()).isZero();
	}

	@Test
	void keepAliveTimeoutIsTheHandshakeTimeoutInGoSyntax() throws IOException {
		assertThat(server("keepAliveTimeout: 1m30s\n").handshakeTimeout()).isEqualTo(Duration.ofSeconds(90));
		assertThat(server("keepAliveTimeout: 500ms\n").handshakeTimeout()).isEqualTo(Duration.ofMillis(500));
		assertThat(problems("keepAliveTimeout: soon\n"))
			.containsExactly(at("keepAliveTimeout") + "'soon' is not a duration (e.g. 60s, 1m30s)");
		assertThat(problems("keepAliveTimeout: 0s\n")).containsExactly(at("keepAliveTimeout") + "must be positive");
	}

	@Test
	void valuesThatAreWhatWsgateDoesAreAccepted() throws IOException {
		HttpServerSpec server = server("""
				keepAlive: true
				http3: false
				autoCert: false
				xForwardedFor: true
				cacheSize: 10240
				routerKind: Ordered
				""" + RULES);
		assertThat(server.rules()).hasSize(1);
		assertThat(problems("xForwardedFor: false\nrouterKind: \"\"\n")).isEmpty();
	}

	@Test
	void otherValuesOfThoseKeysAreNotSupported() throws IOException {
		assertThat(problems("""
				keepAlive: false
				http3: true
				autoCert: true
				routerKind: RadixTree
				xForwardedFor: sometimes
				cacheSize: big
				""")).containsExactly(
					at("keepAlive") + "false is not supported by wsgate: connections are always kept alive between requests",
					at("http3") + "true is not supported by wsgate: WebSocket runs over HTTP/1.1",
					at("autoCert") + "true is not supported by wsgate: give the certificate in certs/keys "
							+ "(or certBase64/keyBase64), or use a wsgate.http-servers tls bundle",
					at("routerKind") + "'RadixTree' is not supported by wsgate: rules and paths are tried in order, "
							+ "the first match wins (Ordered)",
					at("xForwardedFor") + "'sometimes' (expected: true or false)",
					at("cacheSize") + "'big' (expected: a number)");
	}

	@Test
	void keysWithoutCounterpartAreNotSupported() throws IOException {
		assertThat(problems("""
				tracing: {serviceName: eg}
				globalFilter: gf
				accessLogFormat: "[{{Time}}]"
				labels: {team: chat}
				tls: {bundle: edge}
				""")).containsExactly(
					at("tracing") + "not supported by wsgate: handshakes are traced when an OTLP endpoint is set "
							+ "(management.opentelemetry.*)",
					at("globalFilter") + "not supported by wsgate",
					at("accessLogFormat") + "not supported by wsgate: wsgate.access-log.format (kv or json) sets the access "
							+ "log of the gateway",
					at("labels") + "not supported by wsgate",
					at("tls") + "not supported by wsgate");
	}

	@Test
	void ipFilterAtEveryLevelIsTheIpFilter() throws IOException {
		HttpServerSpec server = server("""
				ipFilter: {blockByDefault: true, allowIPs: [10.0.0.0/8]}
				rules:
				- ipFilter: {blockIPs: [10.0.0.7]}
				  paths:
				  - {path: /ws, backend: p, ipFilter: {allowIPs: [10.1.0.0/16]}}
				""");
		assertThat(server.ipFilter().blockByDefault()).isTrue();
		assertThat(server.ipFilter().allowIPs()).containsExactly("10.0.0.0/8");
		assertThat(server.rules().get(0).ipFilter().blockIPs()).containsExactly("10.0.0.7");
		assertThat(server.rules().get(0).paths().get(0).ipFilter().allowIPs()).containsExactly("10.1.0.0/16");
		assertThat(problems("ipFilter: {allowIps: [10.0.0.0/8], denyIPs: [1.2.3.4]}\n"))
			.containsExactly(at("ipFilter.denyIPs") + "not supported by wsgate");
	}

	@Test
	void ruleHostAndOneHostsEntryAreTheRuleHost() throws IOException {
		assertThat(server("rules:\n- host: '*.example.com'\n  paths: [{backend: p}]\n").rules().get(0).host())
			.isEqualTo("*.example.com");
		assertThat(server("rules:\n- hosts: [{value: chat.example.com}]\n  paths: [{backend: p}]\n").rules().get(0).host())
			.isEqualTo("chat.example.com");
		assertThat(server("rules:\n- hosts: [{value: a.example.com, isRegexp: false}]\n  paths: [{backend: p}]\n")
			.rules().get(0).host()).isEqualTo("a.example.com");
	}

	@Test
	void severalHostsRegexpHostsAndOtherRuleKeysAreNotSupported() throws IOException {
		assertThat(problems("""
				rules:
				- hosts: [{value: a.example.com}, {value: b.example.com}]
				  paths: [{backend: p}]
				- hostRegexp: ^chat
				  hosts: [{value: ^x, isRegexp: true, weight: 1}]
				  priority: 1
				  paths: [{backend: p}]
				""")).containsExactly(
					at("rules[0].hosts") + "several hosts in one rule are not supported by wsgate: a rule has one host "
							+ "(write one rule per host)",
					at("rules[1].hostRegexp") + "not supported by wsgate: a host is exact, or has one leading or trailing '*'",
					at("rules[1].hosts[0].weight") + "not supported by wsgate",
					at("rules[1].hosts[0].isRegexp") + "true is not supported by wsgate: a host is exact, or has one "
							+ "leading or trailing '*'",
					at("rules[1].priority") + "not supported by wsgate");
	}

	@Test
	void pathKeysMapToTheirOwn() throws IOException {
		PathSpec path = server("""
				rules:
				- paths:
				  - pathPrefix: /chat/
				    methods: [GET]
				    headers: [{key: X-Tenant, values: [a, b]}]
				    clientMaxBodySize: -1
				    backend: p
				  - {pathRegexp: "^/room/[0-9]+$", backend: p}
				""").rules().get(0).paths().get(0);
		assertThat(path.pathPrefix()).isEqualTo("/chat/");
		assertThat(path.methods()).containsExactly("GET");
		assertThat(path.headers()).singleElement().satisfies(header -> {
			assertThat(header.key()).isEqualTo("X-Tenant");
			assertThat(header.values()).containsExactly("a", "b");
		});
		assertThat(path.clientMaxBodySize()).isEqualTo(-1);
		assertThat(path.backend()).isEqualTo("p");
	}

	@Test
	void theServersClientMaxBodySizeIsTheDefaultOfItsPaths() throws IOException {
		RuleSpec rule = server("""
				clientMaxBodySize: -1
				rules:
				- paths:
				  - {path: /a, backend: p}
				  - {path: /b, backend: p, clientMaxBodySize: 4096}
				""").rules().get(0);
		assertThat(rule.paths()).extracting(PathSpec::clientMaxBodySize).containsExactly(-1L, 4096L);
	}

	@Test
	void headersMatchAsWsgateDoesOrAreNotSupported() throws IOException {
		// Every header (matchAllHeader: true), or only one: the same in both.
		assertThat(problems("""
				rules:
				- paths:
				  - backend: p
				    matchAllHeader: true
				    headers: [{key: A, values: [a]}, {key: B, regexp: ^b}]
				  - backend: p
				    headers: [{key: A, values: [a], regexp: ^a}]
				""")).isEmpty();
		assertThat(problems("""
				rules:
				- paths:
				  - backend: p
				    headers: [{key: A, values: [a]}, {key: B, regexp: ^b}]
				  - backend: p
				    matchAllHeader: true
				    headers: [{key: A, values: [a], regexp: ^a}]
				""")).containsExactly(
					at("rules[0].paths[0].headers") + "any one of several headers matching (matchAllHeader: false) is "
							+ "not supported by wsgate: every header must match (matchAllHeader: true)",
					at("rules[0].paths[1].headers[0]") + "values and regexp both matching (matchAllHeader: true) is "
							+ "not supported by wsgate: either one matching is enough");
	}

	@Test
	void otherPathKeysAreNotSupported() throws IOException {
		assertThat(problems("""
				rules:
				- paths:
				  - path: /ws
				    backend: p
				    rewriteTarget: /v2
				    setHeaders: {X-A: b}
				    backendPool: {servers: [{url: http://127.0.0.1:1}]}
				    queries: [{key: q, values: [v]}]
				    matchAllQuery: true
				""")).containsExactly(
					at("rules[0].paths[0].rewriteTarget") + "not supported by wsgate: a RequestAdaptor filter in the pipeline "
							+ "rewrites the path and headers sent to the backend",
					at("rules[0].paths[0].setHeaders") + "not supported by wsgate: a RequestAdaptor filter in the pipeline "
							+ "rewrites the path and headers sent to the backend",
					at("rules[0].paths[0].backendPool") + "not supported by wsgate: name a pipeline with a WebSocketProxy "
							+ "filter in backend",
					at("rules[0].paths[0].queries") + "not supported by wsgate",
					at("rules[0].paths[0].matchAllQuery") + "not supported by wsgate");
		assertThat(problems("rules:\n- paths:\n  - {path: /ws, backend: p, headers: [{key: A, values: [a], backend: q}]}\n"))
			.containsExactly(at("rules[0].paths[0].headers[0].backend") + "not supported by wsgate");
	}

	@Test
	void httpsWithOneCertsEntryIsTheListenersTlsWithPlainOrBase64Pem() throws IOException {
		HttpServerSpec.TlsSpec tls = server("https: true\ncerts:\n  localhost: |\n" + CERT.indent(4) + "keys: {localhost: "
				+ base64(KEY) + "}\n").tls();
		assertThat(tls.cert()).isEqualTo(CERT.strip());
		assertThat(tls.key()).isEqualTo(KEY);
		assertThat(tls.bundle()).isEmpty();
		assertThat(tls.clientAuth()).isEqualTo("none");
	}

	@Test
	void httpsWithCertBase64AndKeyBase64AndACaCertIsTlsRequiringClientCertificates() throws IOException {
		HttpServerSpec.TlsSpec tls = server("https: true\ncertBase64: " + base64(CERT) + "\nkeyBase64: " + base64(KEY)
				+ "\ncaCertBase64: " + base64(CERT) + "\n").tls();
		assertThat(tls.cert()).isEqualTo(CERT);
		assertThat(tls.key()).isEqualTo(KEY);
		assertThat(tls.clientCa()).isEqualTo(CERT);
		assertThat(tls.clientAuth()).isEqualTo("need");
	}

	@Test
	void certificatesThatCannotBeServedAreProblems() throws IOException {
		assertThat(problems("https: true\n")).containsExactly(at("https") + "true needs certBase64 and keyBase64, or certs and keys");
		assertThat(problems("https: false\ncerts: {a: " + base64(CERT) + "}\nkeys: {a: " + base64(KEY) + "}\n")).containsExactly(
				at("certs") + "is used only with https: true (set it, or remove certs)",
				at("keys") + "is used only with https: true (set it, or remove keys)");
		assertThat(problems("https: true\ncerts: {a: " + base64(CERT) + ", b: " + base64(CERT) + "}\nkeys: {a: " + base64(KEY)
				+ ", b: " + base64(KEY) + "}\n")).containsExactly(at("certs")
						+ "several certificates (chosen by SNI) are not supported by wsgate: one per http server "
						+ "(or one bundle with all the names)");
		assertThat(problems("https: true\ncerts: {a: " + base64(CERT) + "}\nkeys: {b: " + base64(KEY) + "}\n"))
			.containsExactly(at("keys.b") + "no certificate 'b' in certs", at("keys") + "no key for certificate 'a'");
		assertThat(problems("https: true\ncertBase64: '-----BEGIN CERTIFICATE-----'\nkeyBase64: " + base64(KEY) + "\n"))
			.containsExactly(at("certBase64") + "is not base64 (of a PEM certificate)");
		assertThat(problems("https: true\ncertBase64: " + base64(KEY) + "\nkeyBase64: " + base64(CERT) + "\n"))
			.hasSize(2)
			.anySatisfy(problem -> assertThat(problem).startsWith(at("certBase64") + "holds no"))
			.anySatisfy(problem -> assertThat(problem).startsWith(at("keyBase64") + "holds no"));
		assertThat(problems("https: true\ncertBase64: " + base64(CERT) + "\nkeyBase64: " + base64(KEY) + "\ncerts: {a: "
				+ base64(CERT) + "}\nkeys: {a: " + base64(KEY) + "}\n")).containsExactly(
						at("certs") + "not supported by wsgate beside certBase64/keyBase64: an http server serves one certificate");
	}

	@Test
	void goDurations() {
		assertThat(GoDuration.parse("60s")).isEqualTo(Duration.ofSeconds(60));
		assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(Duration.ofMillis(3_723_500));
		assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
		assertThat(GoDuration.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
		assertThat(GoDuration.parse("0")).isZero();
		assertThat(GoDuration.parse("-1s")).isEqualTo(Duration.ofSeconds(-1));
		assertThat(GoDuration.parse("60")).isNull();
		assertThat(GoDuration.parse("1d")).isNull();
		assertThat(GoDuration.parse("1s ")).isEqualTo(Duration.ofSeconds(1));
		assertThat(GoDuration.parse("")).isNull();
	}
}
