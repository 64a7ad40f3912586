package io.wsgate.request;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class RequestInfoTests {

	@Test
	void hostIsLowerCasedWithoutItsPort() {
		assertThat(RequestInfo.of("GET", "Chat.Example.COM:8443", "/", new HttpHeaders(), "").host())
			.isEqualTo("chat.example.com");
		assertThat(RequestInfo.of("GET", "[::1]:8080", "/", new HttpHeaders(), "").host()).isEqualTo("[::1]");
		assertThat(RequestInfo.of("GET", null, "/", new HttpHeaders(), "").host()).isEmpty();
	}

	@Test
	void cookieFindsANamedCookieAmongSeveralCookieHeaders() {
		HttpHeaders headers = new HttpHeaders();
		headers.add(HttpHeaders.COOKIE, "a=1; theme=dark");
		headers.add(HttpHeaders.COOKIE, "user=alice");
		RequestInfo request = RequestInfo.of("GET", "gw", "/", headers, "");

		assertThat(request.cookie("theme")).isEqualTo("dark");
		assertThat(request.cookie("user")).isEqualTo("alice");
		assertThat(request.cookie("use")).isNull();
		assertThat(request.cookie("missing")).isNull();
	}

	@Test
	void headerIsTheFirstValueOrEmpty() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-A", "1");
		headers.add("X-A", "2");
		RequestInfo request = RequestInfo.of("GET", "gw", "/", headers, "");

		assertThat(request.header("x-a")).isEqualTo("1");
		assertThat(request.header("X-B")).isEmpty();
	}
}
