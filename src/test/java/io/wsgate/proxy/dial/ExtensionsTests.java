package io.wsgate.proxy.dial;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What of the client's Sec-WebSocket-Extensions goes to the backend, and which answers are broken. */
class ExtensionsTests {

	@Test
	void onlyPermessageDeflateIsOfferedToTheBackendAsWritten() {
		// Chrome's and Firefox's offers, and one with several extensions and a quoted comma.
		assertThat(Extensions.deflateOffer(List.of("permessage-deflate; client_max_window_bits")))
			.isEqualTo("permessage-deflate; client_max_window_bits");
		assertThat(Extensions.deflateOffer(List.of("permessage-deflate")))
			.isEqualTo("permessage-deflate");
		assertThat(Extensions.deflateOffer(List.of(
				"x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover; client_max_window_bits=10",
				"foo; bar=\"a, permessage-deflate\", Permessage-Deflate")))
			.isEqualTo("permessage-deflate; server_no_context_takeover; client_max_window_bits=10, Permessage-Deflate");
	}

	@Test
	void anOfferWithoutPermessageDeflateIsNoOffer() {
		assertThat(Extensions.deflateOffer(List.of())).isNull();
		assertThat(Extensions.deflateOffer(List.of("x-webkit-deflate-frame", " , "))).isNull();
		assertThat(Extensions.deflateOffer(List.of("permessage-deflater"))).isNull();
	}

	@Test
	void anAnswerToTheOfferIsAccepted() {
		String offer = "permessage-deflate; client_max_window_bits";
		assertThat(Extensions.answerFault(null, offer)).as("declined").isNull();
		assertThat(Extensions.answerFault("", offer)).as("declined").isNull();
		assertThat(Extensions.answerFault("permessage-deflate; server_no_context_takeover", offer)).isNull();
		assertThat(Extensions.answerFault(null, null)).as("nothing offered, nothing accepted").isNull();
	}

	@Test
	void anAnswerThatWasNotOfferedIsABrokenBackend() {
		assertThat(Extensions.answerFault("permessage-deflate", null))
			.isEqualTo("the backend accepted extension 'permessage-deflate', which was not offered");
		assertThat(Extensions.answerFault("permessage-deflate, x-webkit-deflate-frame", "permessage-deflate"))
			.isEqualTo("the backend accepted extension 'x-webkit-deflate-frame', which was not offered");
		assertThat(Extensions.answerFault("permessage-deflate, permessage-deflate; server_no_context_takeover",
				"permessage-deflate, permessage-deflate; server_no_context_takeover"))
			.isEqualTo("the backend accepted permessage-deflate 2 times");
	}

	@Test
	void elementsSplitAtCommasOutsideQuotes() {
		assertThat(Extensions.elements("a; p=\"x,\\\"y\", b ,, c")).containsExactly("a; p=\"x,\\\"y\"", "b", "c");
		assertThat(Extensions.name(" Permessage-Deflate ; x=1")).isEqualTo("permessage-deflate");
	}
}
