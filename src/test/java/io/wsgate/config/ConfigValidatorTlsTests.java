package io.wsgate.config;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS blocks of listeners and pools: bundles that exist, and one source of key material. */
class ConfigValidatorTlsTests {

	private static final String TLS = "wsgate.http-servers[0].tls";

	private static final String SERVER_TLS = "wsgate.pipelines[0].filters[0].pools[0].serverTls";

	@Test
	void aListenerBundleThatNamesNoSslBundleIsAStartupProblem() {
		assertThat(problems(listener("{bundle: edg}"), List.of("edge", "backends")))
			.containsExactly(TLS + ".bundle: no SSL bundle named 'edg' (defined: backends, edge)");
		assertThat(problems(listener("{bundle: edge}"), List.of()))
			.containsExactly(TLS + ".bundle: no SSL bundle named 'edge' (no spring.ssl.bundle is defined)");
	}

	@Test
	void aListenerBundleThatExistsIsAccepted() {
		assertThat(problems(listener("{bundle: edge, clientAuth: need}"), List.of("edge"))).isEmpty();
	}

	@Test
	void aPoolServerTlsBundleThatNamesNoSslBundleIsReportedOnItsKey() {
		assertThat(problems(pool("{bundle: backends}"), List.of()))
			.containsExactly(SERVER_TLS + ".bundle: no SSL bundle named 'backends' (no spring.ssl.bundle is defined)");
	}

	/** An http server "s" on port 8080 with this {@code tls:} value and no rules. */
	private static String listener(String tls) {
		return """
				wsgate:
				  http-servers:
				    - name: s
				      port: 8080
				      tls: %s
				""".formatted(tls);
	}

	/** A pipeline with one WebSocketProxy whose only pool has a wss:// server and this {@code serverTls:} value. */
	private static String pool(String serverTls) {
		return """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: wsproxy
				          pools:
				            - servers: [{url: "wss://b:1"}]
				              serverTls: %s
				""".formatted(serverTls);
	}

	private static List<String> problems(String yaml, List<String> sslBundles) {
		try {
			new ConfigValidator(ConfigValidatorTests.catalog(), sslBundles).validate(ConfigBindingTests.bind(yaml));
			return List.of();
		}
		catch (InvalidConfigException ex) {
			return ex.problems();
		}
	}
}
