package io.wsgate.request;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class RealIpTests {

	@Test
	void withoutForwardingHeadersTheRealIpIsThePeer() {
		assertThat(RealIp.of(new HttpHeaders(), "192.0.2.10")).isEqualTo("192.0.2.10");
	}

	@Test
	void theFirstPublicAddressOfXForwardedForWins() {
		HttpHeaders headers = headers("X-Forwarded-For", "10.0.0.1, 8.8.8.8, 1.1.1.1");

		assertThat(RealIp.of(headers, "127.0.0.1")).isEqualTo("8.8.8.8");
	}

	@Test
	void aPublicXForwardedForAddressBeatsXRealIp() {
		HttpHeaders headers = headers("X-Forwarded-For", "8.8.4.4", "X-Real-Ip", "1.2.3.4");

		assertThat(RealIp.of(headers, "127.0.0.1")).isEqualTo("8.8.4.4");
	}

	@Test
	void anAllPrivateXForwardedForFallsBackToXRealIp() {
		HttpHeaders headers = headers("X-Forwarded-For", "10.0.0.1, 192.168.1.2, 172.16.5.4, 127.0.0.1",
				"X-Real-Ip", "1.2.3.4");

		assertThat(RealIp.of(headers, "10.9.9.9")).isEqualTo("1.2.3.4");
	}

	@Test
	void xRealIpAloneIsTheRealIp() {
		assertThat(RealIp.of(headers("X-Real-Ip", " 1.2.3.4 "), "10.9.9.9")).isEqualTo("1.2.3.4");
	}

	@Test
	void anAllPrivateXForwardedForWithoutXRealIpIsEmpty() {
		// tomasen/realip returns X-Real-Ip, which is "" here: the peer is not used.
		assertThat(RealIp.of(headers("X-Forwarded-For", "10.0.0.1"), "10.9.9.9")).isEmpty();
	}

	@Test
	void emptyForwardingHeadersCountAsAbsent() {
		assertThat(RealIp.of(headers("X-Real-Ip", ""), "192.0.2.10")).isEqualTo("192.0.2.10");
		assertThat(RealIp.of(headers("X-Forwarded-For", ""), "192.0.2.10")).isEqualTo("192.0.2.10");
	}

	@Test
	void ipv4PrivateRangesAreNotPublic() {
		assertThat(RealIp.isPublicIpLiteral("10.1.2.3")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("172.16.0.1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("172.31.255.255")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("192.168.0.1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("127.0.0.1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("169.254.1.1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("172.32.0.1")).isTrue();
		assertThat(RealIp.isPublicIpLiteral("8.8.8.8")).isTrue();
	}

	@Test
	void ipv6LoopbackUniqueLocalAndLinkLocalAreNotPublic() {
		assertThat(RealIp.isPublicIpLiteral("::1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("fc00::")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("fd12:3456::1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("fe80::1")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("2001:4860:4860::8888")).isTrue();
	}

	@Test
	void ipv6AddressesInXForwardedForAreClassifiedToo() {
		HttpHeaders headers = headers("X-Forwarded-For", "::1, fc00::5, 2001:db8::7");

		assertThat(RealIp.of(headers, "127.0.0.1")).isEqualTo("2001:db8::7");
	}

	@Test
	void garbageAndHostNamesAreNotPublicAddresses() {
		assertThat(RealIp.isPublicIpLiteral("")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("unknown")).isFalse();
		assertThat(RealIp.isPublicIpLiteral("example.com")).isFalse();
		assertThat(RealIp.of(headers("X-Forwarded-For", "unknown, 9.9.9.9"), "127.0.0.1")).isEqualTo("9.9.9.9");
	}

	@Test
	void requestInfoRealIpUsesTheForwardingHeaders() {
		RequestInfo request = RequestInfo.of("GET", "gw", "/", headers("X-Forwarded-For", "8.8.8.8"), "10.0.0.1");

		assertThat(request.realIp()).isEqualTo("8.8.8.8");
	}

	private static HttpHeaders headers(String... pairs) {
		HttpHeaders headers = new HttpHeaders();
		for (int i = 0; i < pairs.length; i += 2) {
			headers.add(pairs[i], pairs[i + 1]);
		}
		return headers;
	}
}
