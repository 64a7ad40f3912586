package io.wsgate.config;

import java.util.List;
import java.util.Set;

import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.FilterRegistry;
import io.wsgate.proxy.WebSocketProxySpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kind owns its options: a filter's keys beside kind and name bind to its kind's spec, and a key
 * the kind does not have is a startup problem, never silently ignored.
 */
class ConfigValidatorFilterOptionsTests {

	private static final String FILTER = "wsgate.pipelines[0].filters[0]";

	/** A kind with no options at all. */
	private static final FilterKind<FilterKind.NoOptions> BARE = new FilterKind<>() {

		@Override
		public String name() {
			return "Bare";
		}

		@Override
		public Set<String> results() {
			return Set.of();
		}

		@Override
		public Class<FilterKind.NoOptions> specType() {
			return FilterKind.NoOptions.class;
		}

		@Override
		public void validate(FilterKind.NoOptions spec, String path, ConfigProblems problems) {
		}

		@Override
		public Filter create(FilterKind.NoOptions spec, String filterName, String pipelineName) {
			throw new UnsupportedOperationException();
		}
	};

	private static final FilterKindCatalog KINDS = new FilterRegistry(List.of(BARE,
			(FilterKind<?>) ((FilterRegistry) ConfigValidatorTests.catalog()).kind("WebSocketProxy")));

	@Test
	void optionsGivenToAKindThatDoesNotHaveThemAreRejectedOnTheirKeys() {
		List<String> problems = ConfigBindingTests.problems(KINDS, """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: Bare
				          name: b
				          defaultOrigin: http://o
				          pools: [{servers: [{url: ws://a:1}]}]
				""");

		assertThat(problems).containsExactly(FILTER + ".defaultOrigin: not an option of Bare",
				FILTER + ".pools: not an option of Bare");
	}

	@Test
	void anOptionMisspeltForItsKindIsRejectedWithTheKind() {
		List<String> problems = ConfigBindingTests.problems(KINDS, """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: w
				          defaultOrign: http://o
				          pools: [{servers: [{url: ws://a:1}]}]
				""");

		assertThat(problems).containsExactly(FILTER + ".defaultOrign: not an option of WebSocketProxy");
	}

	@Test
	void aKindWithoutOptionsAndNoneGivenIsAccepted() {
		assertThat(ConfigBindingTests.problems(KINDS, """
				wsgate:
				  pipelines:
				    - name: p
				      filters: [{kind: Bare, name: b}]
				""")).isEmpty();
	}

	@Test
	void eachKindBindsItsOwnOptions() {
		WebSocketProxySpec spec = ConfigBindingTests.proxy(ConfigBindingTests.SEED);

		assertThat(spec.defaultOrigin()).isEqualTo("http://127.0.0.1/hello");
		assertThat(KINDS.specType("Bare")).isEqualTo(FilterKind.NoOptions.class);
		assertThat(KINDS.specType("WebSocketProxy")).isEqualTo(WebSocketProxySpec.class);
		assertThat(KINDS.specType("Nope")).isNull();
	}

	@Test
	void aValueOfTheWrongTypeIsAProblemOnItsKey() {
		List<String> problems = ConfigBindingTests.problems(KINDS, """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: WebSocketProxy
				          name: w
				          pools: [{servers: [{url: ws://a:1}], clientMaxMsgSize: lots}]
				""");

		assertThat(problems).singleElement().asString().startsWith(FILTER + ".pools[0].client-max-msg-size: ");
	}
}
