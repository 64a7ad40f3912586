package io.wsgate.proxy;

import java.util.List;

import io.wsgate.proxy.HandshakeCheck.Refusal;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeCheckTests {

	private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

	@Test
	void aValidHandshakeIsAccepted() {
		assertThat(HandshakeCheck.check("GET", handshake())).isNull();
	}

	@Test
	void upgradeAndConnectionTokensAreCaseInsensitiveAndMayBeListed() {
		HttpHeaders headers = handshake();
		headers.set(HttpHeaders.UPGRADE, "WebSocket");
		headers.set(HttpHeaders.CONNECTION, "keep-alive, Upgrade");

		assertThat(HandshakeCheck.check("GET", headers)).isNull();
	}

	@Test
	void tokensAreWholeTrimmedListItems() {
		assertThat(HandshakeCheck.hasToken(List.of(" Upgrade\t"), "upgrade")).isTrue();
		assertThat(HandshakeCheck.hasToken(List.of("keep-alive,upgrade"), "upgrade")).isTrue();
		assertThat(HandshakeCheck.hasToken(List.of("keep-alive", "UPGRADE , close"), "upgrade")).isTrue();
		assertThat(HandshakeCheck.hasToken(List.of(",,upgrade,"), "upgrade")).isTrue();
		assertThat(HandshakeCheck.hasToken(List.of("upgrades"), "upgrade")).isFalse();
		assertThat(HandshakeCheck.hasToken(List.of("up grade"), "upgrade")).isFalse();
		assertThat(HandshakeCheck.hasToken(List.of("keep-alive; upgrade"), "upgrade")).isFalse();
		assertThat(HandshakeCheck.hasToken(List.of("", ","), "upgrade")).isFalse();
	}

	@Test
	void aPlainHttpRequestAnswers426WithUpgradeWebsocket() {
		HttpHeaders headers = new HttpHeaders();

		Refusal refusal = HandshakeCheck.check("GET", headers);

		assertThat(refusal).isNotNull();
		assertThat(refusal.status()).isEqualTo(426);
		assertThat(refusal.headerName()).isEqualToIgnoringCase("Upgrade");
		assertThat(refusal.headerValue()).isEqualTo("websocket");
	}

	@Test
	void anUpgradeWithoutConnectionUpgradeAnswers426() {
		HttpHeaders headers = handshake();
		headers.set(HttpHeaders.CONNECTION, "keep-alive");

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(426);
	}

	@Test
	void anUpgradeToAnotherProtocolAnswers426() {
		HttpHeaders headers = handshake();
		headers.set(HttpHeaders.UPGRADE, "h2c");

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(426);
	}

	@Test
	void aHandshakeWithAnotherMethodAnswers405AllowingGet() {
		Refusal refusal = HandshakeCheck.check("POST", handshake());

		assertThat(refusal.status()).isEqualTo(405);
		assertThat(refusal.headerName()).isEqualToIgnoringCase("Allow");
		assertThat(refusal.headerValue()).isEqualTo("GET");
	}

	@Test
	void anUnsupportedVersionAnswers426WithVersion13() {
		HttpHeaders headers = handshake();
		headers.set("Sec-WebSocket-Version", "8");

		Refusal refusal = HandshakeCheck.check("GET", headers);

		assertThat(refusal.status()).isEqualTo(426);
		assertThat(refusal.headerName()).isEqualToIgnoringCase("Sec-WebSocket-Version");
		assertThat(refusal.headerValue()).isEqualTo("13");
	}

	@Test
	void aMissingVersionAnswers426() {
		HttpHeaders headers = handshake();
		headers.remove("Sec-WebSocket-Version");

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(426);
	}

	@Test
	void aMissingKeyAnswers400() {
		HttpHeaders headers = handshake();
		headers.remove("Sec-WebSocket-Key");

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(400);
	}

	@Test
	void aKeyThatIsNotBase64Answers400() {
		HttpHeaders headers = handshake();
		headers.set("Sec-WebSocket-Key", "not base64!");

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(400);
	}

	@Test
	void aKeyThatIsNotSixteenBytesAnswers400() {
		HttpHeaders headers = handshake();
		headers.set("Sec-WebSocket-Key", "c2hvcnQ="); // "short"

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(400);
	}

	@Test
	void twoKeysAnswer400() {
		HttpHeaders headers = handshake();
		headers.add("Sec-WebSocket-Key", KEY);

		assertThat(HandshakeCheck.check("GET", headers).status()).isEqualTo(400);
	}

	private static HttpHeaders handshake() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.HOST, "gw.example.com");
		headers.set(HttpHeaders.UPGRADE, "websocket");
		headers.set(HttpHeaders.CONNECTION, "Upgrade");
		headers.set("Sec-WebSocket-Version", "13");
		headers.set("Sec-WebSocket-Key", KEY);
		return headers;
	}
}
