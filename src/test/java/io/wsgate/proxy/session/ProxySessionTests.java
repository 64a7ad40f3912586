package io.wsgate.proxy.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.WsgateProperties.LimitsSpec;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pool.ServerPool;
import io.wsgate.proxy.dial.BackendSession;
import io.wsgate.proxy.frame.RelayEnd;
import io.wsgate.request.RequestInfo;
import io.wsgate.status.SessionSummary;
import org.junit.jupiter.api.Test;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static io.wsgate.config.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link ProxySession} releases what it holds and reports itself exactly once, whichever way and
 * however often it is told that it ended: the place under the limits, the pipeline hold, the
 * backend connection, the access log line and the outcome.
 */
class ProxySessionTests {

	private final SessionRegistry registry = new SessionRegistry(new LimitsSpec(10, 2, null));

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final List<SessionSummary> reported = new ArrayList<>();

	private final AtomicInteger holdsReleased = new AtomicInteger();

	private final ServerPool pool = new ServerPool("chat", "proxy",
			spec(PoolSpec.class, "servers", List.of(spec(ServerSpec.class, "url", "ws://127.0.0.1:9"))), null);

	private final ProxySession session = new ProxySession(context(), registry, new GatewayMetrics(meters),
			reported::add);

	@Test
	void aRefusalBeforeAnyPlaceIsReportedOnceAndReleasesNothing() {
		session.refused(400, "not a WebSocket handshake", HandshakeOutcome.REJECTED);
		session.handshakeEnded();

		assertThat(reported).singleElement().satisfies(summary -> {
			assertThat(summary.status()).isEqualTo(400);
			assertThat(summary.outcome()).isEqualTo("rejected");
			assertThat(summary.reason()).isEqualTo("not a WebSocket handshake");
		});
		assertThat(registry.active()).isZero();
		assertThat(holdsReleased).hasValue(0);
	}

	@Test
	void aRefusalAfterThePlaceWasReservedGivesItBackOnce() {
		reserve();
		assertThat(registry.active()).isEqualTo(1);

		session.refused(503, "no available backend server", HandshakeOutcome.BACKEND_UNAVAILABLE);
		session.handshakeEnded();
		session.refused(503, "again", HandshakeOutcome.BACKEND_UNAVAILABLE);

		assertThat(registry.active()).isZero();
		assertThat(registry.active(pool)).isZero();
		assertThat(holdsReleased).hasValue(1);
		assertThat(reported).hasSize(1);
	}

	@Test
	void aHandshakeThatEndsWithoutUpgradeGivesBackItsPlaceAndClosesItsBackend() {
		reserve();
		EmbeddedChannel backend = new EmbeddedChannel();
		session.dialled(backendSession(backend));

		session.handshakeEnded();

		assertThat(registry.active()).isZero();
		assertThat(holdsReleased).hasValue(1);
		assertThat(backend.isOpen()).isFalse();
		// The proxy reports a refusal itself; a cancelled handshake has no answer to report.
		assertThat(reported).isEmpty();
	}

	@Test
	void aSessionWhoseHandshakeEndedIsNeverUpgraded() {
		reserve();
		session.handshakeEnded();

		assertThat(session.upgraded()).isFalse();
		assertThat(session.wasUpgraded()).isFalse();
	}

	@Test
	void aBackendThatAnswersAfterTheSessionEndedIsClosedAtOnce() {
		reserve();
		session.handshakeEnded();
		EmbeddedChannel late = new EmbeddedChannel();

		session.dialled(backendSession(late));

		assertThat(late.isOpen()).isFalse();
	}

	@Test
	void anUpgradedSessionThatNeverRelayedIsCountedAndReportedOnce() {
		reserve();
		assertThat(session.upgraded()).isTrue();
		session.handshakeEnded();
		assertThat(registry.active()).isEqualTo(1);

		session.endedBeforeRelay(HandshakeOutcome.FIRST_MESSAGE_REJECTED, 1008, ProxySession.GATEWAY, "bad token", "auth");
		session.endedBeforeRelay(HandshakeOutcome.FIRST_MESSAGE_REJECTED, 1006, "client", "gone", null);

		assertThat(registry.active()).isZero();
		assertThat(holdsReleased).hasValue(1);
		assertThat(reported).singleElement().satisfies(summary -> {
			assertThat(summary.status()).isEqualTo(101);
			assertThat(summary.outcome()).isEqualTo("first_message_rejected");
			assertThat(summary.closeCode()).isEqualTo(1008);
			assertThat(summary.closedBy()).isEqualTo("gateway");
			assertThat(summary.filter()).isEqualTo("auth");
		});
		assertThat(meters.get("wsgate.sessions").tag("outcome", "first_message_rejected").counter().count())
			.isEqualTo(1);
		assertThat(meters.get("wsgate.closes").tag("code", "1008").counter().count()).isEqualTo(1);
	}

	@Test
	void aSessionOverThePerAddressLimitIsRefusedAndTakesNoHold() {
		ProxySession first = new ProxySession(context(), registry, new GatewayMetrics(meters), reported::add);
		ProxySession second = new ProxySession(context(), registry, new GatewayMetrics(meters), reported::add);
		for (ProxySession admitted : List.of(first, second)) {
			admitted.pool(pool);
			assertThat(admitted.reserve(() -> holdsReleased::incrementAndGet)).isNull();
		}
		session.pool(pool);

		SessionRegistry.Refusal refusal = session.reserve(() -> {
			throw new AssertionError("no hold for a refused session");
		});

		assertThat(refusal.status()).isEqualTo(429);
		assertThat(registry.active()).isEqualTo(2);
	}

	private void reserve() {
		session.pool(pool);
		assertThat(session.reserve(() -> holdsReleased::incrementAndGet)).isNull();
	}

	private static BackendSession backendSession(EmbeddedChannel channel) {
		return new BackendSession(null, new ChannelOnly(channel), null, null, null);
	}

	/** A backend connection as far as a session that never relays sees it: a channel to close. */
	private record ChannelOnly(Channel channel) implements RelayEnd {

		@Override
		public EventLoop loop() {
			return channel.eventLoop();
		}

		@Override
		public void close() {
			channel.close();
		}

		@Override
		public void receive(CoreSubscriber<Object> subscriber) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<WebSocketCloseStatus> receiveCloseStatus() {
			throw new UnsupportedOperationException();
		}

		@Override
		public Mono<Void> sendClose(int code, String reason) {
			throw new UnsupportedOperationException();
		}
	}

	private static FilterContext context() {
		return new FilterContext(MockServerHttpRequest.get("/ws").header("Host", "gw").build(),
				new MockServerHttpResponse(),
				new RequestInfo("GET", "gw", "/ws", HttpHeaders.readOnlyHttpHeaders(new HttpHeaders()), "10.0.0.1",
						"10.0.0.1", false),
				"edge", "chat", false, Observation.NOOP);
	}
}
