package io.wsgate.config;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslStoreBundle;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS blocks of listeners and pools: bundles that exist, and one source of key material. */
class ConfigValidatorTlsTests {

	private static final String TLS = "wsgate.http-servers[0].tls";

	private static final String SERVER_TLS = "wsgate.pipelines[0].filters[0].pools[0].serverTls";

	/** A location that exists, so that only the rule under test can fail. */
	private static final String PEM = "classpath:application.yml";

	/** A registry with a "backends" bundle (trusting the JVM's CAs), for pools. */
	private static final DefaultSslBundleRegistry BACKENDS = new DefaultSslBundleRegistry("backends",
			SslBundle.of(SslStoreBundle.NONE));

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

	@Test
	void aListenerBundleWithPemLocationsIsAStartupProblemInsteadOfIgnoringThem() {
		String both = TLS + ": set bundle or cert/key/clientCa, not both: a bundle carries its own key and trusted CAs";
		assertThat(problems(listener("{bundle: edge, cert: " + PEM + ", key: " + PEM + "}"), List.of("edge")))
			.containsExactly(both);
		assertThat(problems(listener("{bundle: edge, clientAuth: need, clientCa: " + PEM + "}"), List.of("edge")))
			.containsExactly(both);
	}

	@Test
	void aPoolBundleWithPemLocationsIsAStartupProblemInsteadOfIgnoringThem() {
		String both = SERVER_TLS + ": set bundle or ca/cert/key, not both: a bundle carries its own key and trusted CAs";
		assertThat(problems(pool("{bundle: backends, ca: " + PEM + "}"), BACKENDS)).containsExactly(both);
		assertThat(problems(pool("{bundle: backends, cert: " + PEM + ", key: " + PEM + "}"), BACKENDS))
			.containsExactly(both);
	}

	@Test
	void aPoolBundleWithInsecureSkipVerifyIsAccepted() {
		assertThat(problems(pool("{bundle: backends, insecureSkipVerify: true}"), BACKENDS)).isEmpty();
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
		return problems(yaml, sslBundles, new DefaultSslBundleRegistry());
	}

	private static List<String> problems(String yaml, DefaultSslBundleRegistry poolBundles) {
		return problems(yaml, poolBundles.getBundleNames(), poolBundles);
	}

	private static List<String> problems(String yaml, List<String> sslBundles, SslBundles poolBundles) {
		try {
			new ConfigValidator(ConfigValidatorTests.catalog(poolBundles), sslBundles).validate(ConfigBindingTests.bind(yaml),
					TestSpecs.sources(yaml));
			return List.of();
		}
		catch (InvalidConfigException ex) {
			return ex.problems();
		}
	}
}
