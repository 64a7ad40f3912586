package io.wsgate.filter.adaptor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestAdaptorKindTests {

	private final RequestAdaptorKind kind = new RequestAdaptorKind();

	@Test
	void itHasNoResultOfItsOwnAndIsNamedAsInEasegress() {
		assertThat(kind.name()).isEqualTo("RequestAdaptor");
		assertThat(kind.results()).isEmpty();
	}
}
