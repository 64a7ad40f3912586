package io.wsgate.filter.ratelimit;

import io.micrometer.observation.Observation;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** What a handshake counts against for each form of {@code key}. */
class LimitKeyTests {

	private static FilterContext context(HttpHeaders headers) {
		return new FilterContext(MockServerHttpRequest.get("/ws").build(), new MockServerHttpResponse(),
				new RequestInfo("GET", "gw", "/ws", HttpHeaders.readOnlyHttpHeaders(headers), "10.0.0.1", "203.0.113.9", true),
				"edge", "p", false, Observation.NOOP);
	}

	@Test
	void clientIpIsTheForwardedClient() {
		assertThat(LimitKey.parse("clientIp").of(context(new HttpHeaders()))).isEqualTo("203.0.113.9");
	}

	@Test
	void globalIsOneKeyForAll() {
		assertThat(LimitKey.parse("global").of(context(new HttpHeaders()))).isEqualTo(LimitKey.MISSING);
	}

	@Test
	void aHeaderIsTheIdentityHeaderAFilterSetRatherThanTheClientsCopy() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-User-Id", "forged");
		FilterContext context = context(headers);
		LimitKey key = LimitKey.parse("header:X-User-Id");
		assertThat(key.of(context)).isEqualTo("forged");

		context.backendRequest().setIdentityHeader("x-user-id", "alice");

		assertThat(key.of(context)).isEqualTo("alice");
	}

	@Test
	void aMissingHeaderOrClaimIsOneSharedKey() {
		assertThat(LimitKey.parse("header:X-Tenant").of(context(new HttpHeaders()))).isEqualTo(LimitKey.MISSING);
		assertThat(LimitKey.parse("claim:sub").of(context(new HttpHeaders()))).isEqualTo(LimitKey.MISSING);
	}

	@Test
	void aClaimIsTheOneAValidatorLeftInTheAttributes() {
		FilterContext context = context(new HttpHeaders());
		context.attributes().put("claim.sub", "bob");
		assertThat(LimitKey.parse("claim:sub").of(context)).isEqualTo("bob");
	}

	@Test
	void otherFormsAreNotKeys() {
		assertThat(LimitKey.parse("header:")).isNull();
		assertThat(LimitKey.parse("ip")).isNull();
	}
}
