package io.wsgate.pipeline;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackendRequestTests {

	private final BackendRequest request = new BackendRequest("/chat/room?x=1");

	@Test
	void unchangedItSendsWhatTheClientAskedFor() {
		HttpHeaders headers = new DefaultHttpHeaders().add("X-A", "1");
		request.applyHeaders(headers);
		assertThat(request.pathAndQuery()).isEqualTo("/chat/room?x=1");
		assertThat(request.host()).isNull();
		assertThat(request.changesHeaders()).isFalse();
		assertThat(request.identityHeaders()).isEmpty();
		assertThat(request.subprotocols("chat, v2")).isEqualTo("chat, v2");
		assertThat(headers.getAll("X-A")).containsExactly("1");
	}

	@Test
	void headerChangesApplyInTheOrderTheyWereMade() {
		request.removeHeader("Cookie");
		request.setHeader("X-Env", "prod");
		request.addHeader("X-Env", "eu");
		request.addHeader("X-Via", "wsgate");
		request.removeHeader("X-Via");
		HttpHeaders headers = new DefaultHttpHeaders().add("Cookie", "a=1").add("X-Env", "dev");
		request.applyHeaders(headers);
		assertThat(headers.contains("Cookie")).isFalse();
		assertThat(headers.getAll("X-Env")).containsExactly("prod", "eu");
		assertThat(headers.contains("X-Via")).isFalse();
	}

	@Test
	void anIdentityHeaderReplacesTheClientsCopiesAndIsListed() {
		request.setIdentityHeader("X-User-Id", "alice");
		HttpHeaders headers = new DefaultHttpHeaders().add("X-User-Id", "mallory").add("X-User-Id", "eve");
		request.applyHeaders(headers);
		assertThat(headers.getAll("X-User-Id")).containsExactly("alice");
		assertThat(request.identityHeaders()).containsExactly(java.util.Map.entry("X-User-Id", "alice"));
	}

	@Test
	void removedSubprotocolsLeaveTheOffer() {
		request.removeSubprotocol("bearer.secret-token");
		assertThat(request.subprotocols("bearer.secret-token, chat")).isEqualTo("chat");
		assertThat(request.subprotocols("bearer.secret-token")).isNull();
		assertThat(request.subprotocols(null)).isNull();
	}

	@Test
	void aNewPathAndHostReplaceTheClients() {
		request.pathAndQuery("/v2/room?x=1");
		request.host("chat.internal");
		assertThat(request.pathAndQuery()).isEqualTo("/v2/room?x=1");
		assertThat(request.host()).isEqualTo("chat.internal");
	}
}
