package io.wsgate.filter.validator;

import java.net.URI;

import io.wsgate.pipeline.BackendRequest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/** The token is looked for in the documented order, and its query and subprotocol copies never go on. */
class TokenSourcesTests {

	private final TokenSources all = new TokenSources("auth", "access_token", "bearer.");

	@Test
	void theCookieComesFirst() {
		ServerHttpRequest request = MockServerHttpRequest.get("/chat?access_token=q")
			.cookie(new HttpCookie("other", "1"), new HttpCookie("auth", "c"))
			.header(TokenSources.SUBPROTOCOL_HEADER, "chat, bearer.s")
			.header(HttpHeaders.AUTHORIZATION, "Bearer h")
			.build();
		BackendRequest backend = backend(request);

		assertThat(all.take(request, backend)).isEqualTo("c");
		// The other copies are removed all the same.
		assertThat(backend.pathAndQuery()).isEqualTo("/chat");
		assertThat(backend.subprotocols("chat, bearer.s")).isEqualTo("chat");
	}

	@Test
	void thenTheQueryParameterWhichIsRemovedWithoutTouchingTheRest() {
		ServerHttpRequest request = MockServerHttpRequest
			.method(HttpMethod.GET, URI.create("/chat?room=a%20b&access_token=q%2Eq&x"))
			.build();
		BackendRequest backend = backend(request);

		assertThat(all.take(request, backend)).isEqualTo("q.q");
		assertThat(backend.pathAndQuery()).isEqualTo("/chat?room=a%20b&x");
	}

	@Test
	void thenTheSubprotocolThenTheBearerHeader() {
		ServerHttpRequest offered = MockServerHttpRequest.get("/chat")
			.header(TokenSources.SUBPROTOCOL_HEADER, "chat, bearer.s")
			.header(HttpHeaders.AUTHORIZATION, "Bearer h")
			.build();
		assertThat(all.take(offered, backend(offered))).isEqualTo("s");

		ServerHttpRequest header = MockServerHttpRequest.get("/chat").header(HttpHeaders.AUTHORIZATION, "bearer  h ").build();
		assertThat(all.take(header, backend(header))).isEqualTo("h");
	}

	@Test
	void sourcesNotConfiguredAreNotLookedAt() {
		TokenSources headerOnly = new TokenSources("", "", "");
		ServerHttpRequest request = MockServerHttpRequest.get("/chat?access_token=q")
			.cookie(new HttpCookie("auth", "c"))
			.header(TokenSources.SUBPROTOCOL_HEADER, "bearer.s")
			.build();
		BackendRequest backend = backend(request);

		assertThat(headerOnly.take(request, backend)).isNull();
		assertThat(backend.pathAndQuery()).isEqualTo("/chat?access_token=q");
	}

	@Test
	void onlyABearerAuthorizationCarriesAToken() {
		assertThat(TokenSources.bearer("Basic dTpw")).isNull();
		assertThat(TokenSources.bearer("Bearer ")).isNull();
		assertThat(TokenSources.bearer(null)).isNull();
	}

	private static BackendRequest backend(ServerHttpRequest request) {
		String query = request.getURI().getRawQuery();
		return new BackendRequest(request.getURI().getRawPath() + ((query != null) ? "?" + query : ""));
	}
}
