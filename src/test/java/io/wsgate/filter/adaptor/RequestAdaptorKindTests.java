package io.wsgate.filter.adaptor;

import io.wsgate.filter.adaptor.RequestAdaptorSpec.PathSpec;
import io.wsgate.filter.adaptor.RequestAdaptorSpec.RegexpReplaceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class RequestAdaptorKindTests {

	private final RequestAdaptorKind kind = new RequestAdaptorKind();

	@Test
	void itHasNoResultOfItsOwnAndIsNamedAsInEasegress() {
		assertThat(kind.name()).isEqualTo("RequestAdaptor");
		assertThat(kind.results()).isEmpty();
	}

	@Test
	void severalPathOperationsWarnAtStartupWhichOneApplies(CapturedOutput output) {
		kind.create(new RequestAdaptorSpec(null, new PathSpec(null, "/v2", "/chat", new RegexpReplaceSpec("a", "b")), null),
				"adaptor", "chat");

		assertThat(output).contains("RequestAdaptor adaptor of pipeline chat: only path.addPrefix applies, "
				+ "path.trimPrefix, path.regexpReplace not (one path operation, the first of replace, addPrefix, "
				+ "trimPrefix, regexpReplace, as in Easegress)");
	}

	@Test
	void oneOperationWarnsOfNothing(CapturedOutput output) {
		kind.create(new RequestAdaptorSpec(null, new PathSpec(null, null, "/chat", null), null), "adaptor", "chat");

		assertThat(output).doesNotContain("only path.");
	}
}
