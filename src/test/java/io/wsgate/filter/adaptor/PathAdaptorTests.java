package io.wsgate.filter.adaptor;

import io.wsgate.filter.adaptor.RequestAdaptorSpec.PathSpec;
import io.wsgate.filter.adaptor.RequestAdaptorSpec.RegexpReplaceSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Easegress's path adaptor on the raw path: one operation, the query left alone. */
class PathAdaptorTests {

	@Test
	void replaceSendsTheGivenPath() {
		assertThat(adaptor(new PathSpec("/socket", null, null, null)).adaptPathAndQuery("/chat/room?x=1"))
			.isEqualTo("/socket?x=1");
	}

	@Test
	void addPrefixPutsItBeforeThePath() {
		assertThat(adaptor(new PathSpec(null, "/v2", null, null)).adaptPathAndQuery("/chat?a=b&c=d"))
			.isEqualTo("/v2/chat?a=b&c=d");
	}

	@Test
	void trimPrefixTakesItOffOnlyWhenThePathStartsWithIt() {
		PathAdaptor trim = adaptor(new PathSpec(null, null, "/chat", null));

		assertThat(trim.adaptPathAndQuery("/chat/room?x=1")).isEqualTo("/room?x=1");
		assertThat(trim.adaptPathAndQuery("/other")).isEqualTo("/other");
	}

	@Test
	void aResultWithoutLeadingSlashGetsOne() {
		PathAdaptor trim = adaptor(new PathSpec(null, null, "/chat", null));

		assertThat(trim.adaptPathAndQuery("/chat")).as("nothing left").isEqualTo("/");
		assertThat(trim.adaptPathAndQuery("/chatroom?x")).as("a plain string prefix, as Easegress").isEqualTo("/room?x");
	}

	@Test
	void regexpReplaceReplacesEveryMatchWithGoStyleReferences() {
		PathAdaptor regexp = adaptor(new PathSpec(null, null, null,
				new RegexpReplaceSpec("^/users/(\\d+)/(?<room>\\w+)$", "/rooms/${room}/members/$1")));

		assertThat(regexp.adaptPathAndQuery("/users/42/lobby?t=1")).isEqualTo("/rooms/lobby/members/42?t=1");
		assertThat(regexp.adaptPathAndQuery("/elsewhere")).isEqualTo("/elsewhere");
		assertThat(adaptor(new PathSpec(null, null, null, new RegexpReplaceSpec("a", "b"))).adapt("/banana"))
			.isEqualTo("/bbnbnb");
	}

	@Test
	void trimPrefixThenAddPrefixBothApply() {
		PathAdaptor both = adaptor(new PathSpec(null, "/v2", "/chat", null));
		assertThat(both.adaptPathAndQuery("/chat/room?x=1")).isEqualTo("/v2/room?x=1");
		assertThat(both.adapt("/other")).as("nothing to trim: only the prefix is added").isEqualTo("/v2/other");
	}

	@Test
	void thePathIsRawSoEscapesStayAsTheClientSentThem() {
		assertThat(adaptor(new PathSpec(null, "/v2", null, null)).adaptPathAndQuery("/a%20b?q=%2F"))
			.isEqualTo("/v2/a%20b?q=%2F");
	}

	private static PathAdaptor adaptor(PathSpec spec) {
		return PathAdaptor.of(spec);
	}
}
