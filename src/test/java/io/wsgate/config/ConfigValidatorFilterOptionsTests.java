package io.wsgate.config;

import java.util.List;
import java.util.Set;

import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.FilterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Options given to a filter kind that does not read them are startup problems, not silently ignored. */
class ConfigValidatorFilterOptionsTests {

	private static final String FILTER = "wsgate.pipelines[0].filters[0]";

	/** A kind with no options at all. */
	private static final FilterKind BARE = new FilterKind() {

		@Override
		public String name() {
			return "Bare";
		}

		@Override
		public Set<String> results() {
			return Set.of();
		}

		@Override
		public void validate(FilterSpec spec, String path, ConfigProblems problems) {
		}

		@Override
		public Filter create(FilterSpec spec, String pipelineName) {
			throw new UnsupportedOperationException();
		}
	};

	@Test
	void optionsGivenToAKindWithoutOptionsAreRejectedOnTheirKeys() {
		InvalidConfigException ex = catchThrowableOfType(InvalidConfigException.class,
				() -> new ConfigValidator(new FilterRegistry(List.of(BARE))).validate(ConfigBindingTests.bind("""
						wsgate:
						  pipelines:
						    - name: p
						      filters:
						        - kind: Bare
						          name: b
						          defaultOrigin: http://o
						          pools: [{servers: [{url: ws://a:1}]}]
						""")));

		assertThat(ex).isNotNull();
		assertThat(ex.problems()).containsExactly(FILTER + ".defaultOrigin: not an option of Bare (it has none)",
				FILTER + ".pools: not an option of Bare (it has none)");
	}

	@Test
	void aKindWithoutOptionsAndNoneGivenIsAccepted() {
		new ConfigValidator(new FilterRegistry(List.of(BARE))).validate(ConfigBindingTests.bind("""
				wsgate:
				  pipelines:
				    - name: p
				      filters: [{kind: Bare, name: b}]
				"""));
	}

	@Test
	void theOptionsAFilterSpecGivesAreItsNonEmptyFieldsBesidesKindAndName() {
		assertThat(new FilterSpec("Bare", "b", null, null, null).givenOptions()).isEmpty();
		assertThat(new FilterSpec("Bare", "b", "", List.of(), "").givenOptions()).isEmpty();
		assertThat(new FilterSpec("Bare", "b", null, null, "off").givenOptions()).containsExactly("compression");
		assertThat(ConfigBindingTests.bind(ConfigBindingTests.SEED).pipelines().get(0).filters().get(0).givenOptions())
			.containsExactly("defaultOrigin", "pools");
	}
}
