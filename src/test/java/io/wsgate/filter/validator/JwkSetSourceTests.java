package io.wsgate.filter.validator;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The JWK set of jwksUri, served by a real HTTP server: fetched once, shared, refetched on a new kid at a bounded rate. */
class JwkSetSourceTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ECKey one = TestTokens.ecKey("one");

	private final ECKey two = TestTokens.ecKey("two");

	private final AtomicReference<String> body = new AtomicReference<>(TestTokens.jwkSet(one));

	private final AtomicInteger status = new AtomicInteger(200);

	private final AtomicInteger fetches = new AtomicInteger();

	private final DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
		.handle((request, response) -> {
			fetches.incrementAndGet();
			return response.status(status.get()).sendString(Mono.fromSupplier(body::get));
		})
		.bindNow();

	@AfterEach
	void stop() {
		server.disposeNow(WAIT);
	}

	@Test
	void concurrentFirstHandshakesShareOneFetch() throws Exception {
		JwkSetSource source = source(Duration.ofHours(1));
		SignedJWT token = token(one);

		StepVerifier.create(Flux.range(0, 20).flatMap(i -> source.apply(token).collectList()))
			.expectNextCount(20)
			.expectComplete()
			.verify(WAIT);

		assertThat(fetches.get()).isEqualTo(1);
	}

	@Test
	void aNewKidIsFetchedAgainButMadeUpKidsDoNotHammerTheProvider() throws Exception {
		JwkSetSource source = source(Duration.ofHours(1));
		JwkSetSource eager = source(Duration.ZERO);
		assertThat(keys(source, token(one))).extracting(JWK::getKeyID).containsExactly("one");
		assertThat(keys(eager, token(one))).extracting(JWK::getKeyID).containsExactly("one");
		assertThat(fetches.get()).isEqualTo(2);

		body.set(TestTokens.jwkSet(one, two));
		for (int i = 0; i < 10; i++) {
			assertThat(keys(source, token(TestTokens.ecKey("made-up-" + i)))).isEmpty();
		}
		assertThat(fetches.get()).isEqualTo(2);

		assertThat(keys(eager, token(two))).extracting(JWK::getKeyID).containsExactly("two");
		assertThat(fetches.get()).isEqualTo(3);
		assertThat(keys(eager, token(two))).extracting(JWK::getKeyID).containsExactly("two");
		assertThat(fetches.get()).isEqualTo(3);
	}

	@Test
	void aFailedFetchIsNotKept() throws Exception {
		JwkSetSource source = source(Duration.ZERO);
		status.set(500);
		StepVerifier.create(source.apply(token(one))).expectError().verify(WAIT);

		status.set(200);
		assertThat(keys(source, token(one))).extracting(JWK::getKeyID).containsExactly("one");
		assertThat(fetches.get()).isEqualTo(2);
	}

	private JwkSetSource source(Duration minRefresh) {
		return new JwkSetSource(WebClient.create(), "http://127.0.0.1:" + server.port() + "/jwks.json", minRefresh);
	}

	private static java.util.List<JWK> keys(JwkSetSource source, SignedJWT token) {
		return source.apply(token).collectList().block(WAIT);
	}

	private static SignedJWT token(ECKey key) throws Exception {
		return SignedJWT.parse(TestTokens.es256(key, TestTokens.claims("a", Instant.now().plusSeconds(60)).build()));
	}
}
