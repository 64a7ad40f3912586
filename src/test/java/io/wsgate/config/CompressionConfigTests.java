package io.wsgate.config;

import java.util.List;

import io.wsgate.proxy.WebSocketProxySpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code compression} on a WebSocketProxy filter: its default, its values, and a bad one. */
class CompressionConfigTests {

	@Test
	void passthroughIsTheDefault() {
		assertThat(filter(null).compression()).as("unset; the kind reads it as passthrough").isEmpty();
		assertThat(problems(null)).isEmpty();
	}

	@Test
	void passthroughAndOffAreAccepted() {
		assertThat(filter("passthrough").compression()).isEqualTo("passthrough");
		assertThat(filter("\"off\"").compression()).isEqualTo("off");
		assertThat(problems("passthrough")).isEmpty();
		assertThat(problems("\"off\"")).isEmpty();
	}

	/** YAML 1.1, as Spring (and Helm) read it, turns an unquoted off into false. */
	@Test
	void anUnquotedOffIsReadAsFalseAndMeansOff() {
		assertThat(filter("off").compression()).isEqualTo("false");
		assertThat(problems("off")).isEmpty();
	}

	@Test
	void anythingElseIsAStartupErrorNamingTheKey() {
		assertThat(problems("deflate")).containsExactly(
				"wsgate.pipelines[0].filters[0].compression: 'deflate' (expected: passthrough or off)");
		assertThat(problems("on")).containsExactly(
				"wsgate.pipelines[0].filters[0].compression: 'true' (expected: passthrough or off)");
	}

	private static String yaml(String compression) {
		return """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: wsproxy
				          pools: [{servers: [{url: "ws://a:1"}]}]
				""" + ((compression != null) ? "          compression: " + compression + "\n" : "");
	}

	private static WebSocketProxySpec filter(String compression) {
		return ConfigBindingTests.proxy(yaml(compression));
	}

	private static List<String> problems(String compression) {
		return ConfigBindingTests.problems(ConfigValidatorTests.catalog(), yaml(compression));
	}
}
