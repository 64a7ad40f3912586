package io.wsgate.proxy.dial;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackendHeadersTests {

	@Test
	void hopByHopHeadersAreNotForwarded() {
		HttpHeaders client = handshake();
		client.set("Keep-Alive", "timeout=5");
		client.set("TE", "trailers");
		client.set("Proxy-Authorization", "Basic c2VjcmV0");
		client.set("Proxy-Connection", "keep-alive");
		client.set("Transfer-Encoding", "chunked");
		client.set("Trailer", "X-Checksum");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.1"), false, "");

		assertThat(sent.names()).doesNotContain("Connection", "Upgrade", "Keep-Alive", "TE", "Proxy-Authorization",
				"Proxy-Connection", "Transfer-Encoding", "Trailer");
		assertThat(sent.contains("connection")).isFalse();
		assertThat(sent.contains("proxy-authorization")).isFalse();
	}

	@Test
	void headersNamedInConnectionAreNotForwarded() {
		HttpHeaders client = handshake();
		client.set("Connection", "Upgrade, X-Secret");
		client.set("X-Secret", "s3cr3t");
		client.set("X-Kept", "yes");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.1"), false, "");

		assertThat(sent.contains("X-Secret")).isFalse();
		assertThat(sent.get("X-Kept")).isEqualTo("yes");
	}

	@Test
	void namesAreMatchedWhateverTheirCase() {
		HttpHeaders client = handshake();
		client.set("CONNECTION", "upgrade, x-SECRET");
		client.set("X-Secret", "s3cr3t");
		client.set("KEEP-ALIVE", "timeout=5");
		client.set("sec-websocket-PROTOCOL", "chat");
		client.set("X-Kept", "yes");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.1"), false, "");

		assertThat(sent.contains("x-secret")).isFalse();
		assertThat(sent.contains("keep-alive")).isFalse();
		assertThat(sent.contains("sec-websocket-protocol")).isFalse();
		assertThat(sent.contains("connection")).isFalse();
		assertThat(sent.get("x-kept")).isEqualTo("yes");
	}

	@Test
	void handshakeHeadersAndHostAreLeftToTheBackendClient() {
		HttpHeaders client = handshake();
		client.set("Sec-WebSocket-Extensions", "permessage-deflate");
		client.set("Sec-WebSocket-Protocol", "chat");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.1"), false, "");

		assertThat(sent.names()).noneMatch(n -> n.toLowerCase().startsWith("sec-websocket-"));
		assertThat(sent.contains("Host")).isFalse();
	}

	@Test
	void endToEndHeadersAreForwardedWithAllTheirValues() {
		HttpHeaders client = handshake();
		client.set("Authorization", "Bearer t");
		client.add("Cookie", "a=1");
		client.add("X-Multi", "1");
		client.add("X-Multi", "2");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.1"), false, "");

		assertThat(sent.get("Authorization")).isEqualTo("Bearer t");
		assertThat(sent.get("Cookie")).isEqualTo("a=1");
		assertThat(sent.getAll("X-Multi")).containsExactly("1", "2");
	}

	@Test
	void xForwardedForIsTheClientIpWhenTheClientSentNone() {
		DefaultHttpHeaders sent = BackendHeaders.build(handshake(), peer("192.0.2.7"), false, "");

		assertThat(sent.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
	}

	@Test
	void xForwardedForAppendsTheClientIpToTheExistingValue() {
		HttpHeaders client = handshake();
		client.add("X-Forwarded-For", "203.0.113.1, 10.0.0.2");
		client.add("X-Forwarded-For", "10.0.0.3");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("192.0.2.7"), false, "");

		assertThat(sent.getAll("X-Forwarded-For")).containsExactly("203.0.113.1, 10.0.0.2, 10.0.0.3, 192.0.2.7");
	}

	@Test
	void xForwardedHostIsTheClientHost() {
		HttpHeaders client = handshake();
		client.set("X-Forwarded-Host", "spoofed.example");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.1"), false, "");

		assertThat(sent.getAll("X-Forwarded-Host")).containsExactly("gw.example.com:8080");
	}

	@Test
	void xForwardedProtoTellsWhetherTheClientUsedTls() {
		HttpHeaders client = handshake();
		client.set("X-Forwarded-Proto", "https");

		assertThat(BackendHeaders.build(client, peer("10.0.0.1"), false, "").getAll("X-Forwarded-Proto"))
			.containsExactly("http");
		assertThat(BackendHeaders.build(client, peer("10.0.0.1"), true, "").getAll("X-Forwarded-Proto"))
			.containsExactly("https");
	}

	@Test
	void defaultOriginIsSentOnlyWhenTheClientSentNoOrigin() {
		HttpHeaders withOrigin = handshake();
		withOrigin.set("Origin", "https://app.example.com");

		assertThat(BackendHeaders.build(handshake(), peer("10.0.0.1"), false, "http://gateway").get("Origin"))
			.isEqualTo("http://gateway");
		assertThat(BackendHeaders.build(withOrigin, peer("10.0.0.1"), false, "http://gateway").getAll("Origin"))
			.containsExactly("https://app.example.com");
		assertThat(BackendHeaders.build(handshake(), peer("10.0.0.1"), false, "").contains("Origin")).isFalse();
	}

	@Test
	void subprotocolsFromSeveralHeaderLinesAreJoined() {
		HttpHeaders client = handshake();
		client.add("Sec-WebSocket-Protocol", "chat, superchat");
		client.add("Sec-WebSocket-Protocol", "v2.chat");

		assertThat(BackendHeaders.subprotocols(client)).isEqualTo("chat, superchat,v2.chat");
	}

	@Test
	void noSubprotocolsIsNull() {
		assertThat(BackendHeaders.subprotocols(handshake())).isNull();
	}

	private static HttpHeaders handshake() {
		HttpHeaders headers = new DefaultHttpHeaders();
		headers.set("Host", "gw.example.com:8080");
		headers.set("Upgrade", "websocket");
		headers.set("Connection", "Upgrade");
		headers.set("Sec-WebSocket-Version", "13");
		headers.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
		return headers;
	}

	@Test
	void fromATrustedProxyTheForwardedProtoAndHostAreKept() {
		HttpHeaders client = handshake();
		client.add("X-Forwarded-For", "203.0.113.5");
		client.add("X-Forwarded-Proto", "https");
		client.add("X-Forwarded-Host", "chat.example.com");
		RequestInfo viaBalancer = new RequestInfo("GET", "gw", "/ws", new org.springframework.http.HttpHeaders(), "10.0.0.2",
				"203.0.113.5", true);

		DefaultHttpHeaders sent = BackendHeaders.build(client, viaBalancer, false, "");

		assertThat(sent.getAll("X-Forwarded-For")).containsExactly("203.0.113.5, 10.0.0.2");
		assertThat(sent.getAll("X-Forwarded-Proto")).containsExactly("https");
		assertThat(sent.getAll("X-Forwarded-Host")).containsExactly("chat.example.com");
	}

	@Test
	void fromAnyOtherPeerTheForwardedProtoAndHostAreReplaced() {
		HttpHeaders client = handshake();
		client.add("X-Forwarded-Proto", "https");
		client.add("X-Forwarded-Host", "forged.example.com");

		DefaultHttpHeaders sent = BackendHeaders.build(client, peer("10.0.0.2"), false, "");

		assertThat(sent.getAll("X-Forwarded-Proto")).containsExactly("http");
		assertThat(sent.getAll("X-Forwarded-Host")).doesNotContain("forged.example.com");
	}

	/** A request straight from a client at {@code ip}, no trusted proxy in between. */
	private static RequestInfo peer(String ip) {
		return RequestInfo.of("GET", "gw", "/ws", new org.springframework.http.HttpHeaders(), ip);
	}
}
