package io.wsgate.config;

import java.time.Duration;
import java.util.Map;

import io.wsgate.config.HealthCheckSpec.HttpCheckSpec;
import io.wsgate.config.HealthCheckSpec.WsCheckSpec;
import io.wsgate.config.HttpServerSpec.TlsSpec;
import io.wsgate.config.PoolSpec.LoadBalanceSpec;
import io.wsgate.config.PoolSpec.StickySessionSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.MessagesSpec;
import io.wsgate.filter.ratelimit.RateLimiterSpec.PolicySpec;
import io.wsgate.filter.validator.ValidatorSpec.BasicAuthSpec;
import io.wsgate.filter.validator.ValidatorSpec.FirstMessageSpec;
import io.wsgate.filter.validator.ValidatorSpec.JwtSpec;
import io.wsgate.proxy.WebSocketProxySpec;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static io.wsgate.config.TestSpecs.defaults;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults of the records below {@code wsgate.*} lists and of the filter options, as
 * docs/configuration.md gives them: they come from the records' {@code @DefaultValue}s, applied by
 * the binder to list elements and to separately bound filter options alike.
 */
class SpecDefaultsTests {

	@Test
	void aPoolWithOnlyServersHasTheDocumentedDefaults() {
		WebSocketProxySpec proxy = bind(WebSocketProxySpec.class, Map.of("p.pools[0].servers[0].url", "ws://a:1"));
		PoolSpec pool = proxy.pools().get(0);

		assertThat(pool.loadBalance().parsedPolicy()).isEqualTo(PoolSpec.Policy.ROUND_ROBIN);
		assertThat(pool.loadBalance().stickySession()).isNull();
		assertThat(pool.clientMaxMsgSize()).isEqualTo(32769);
		assertThat(pool.serverMaxMsgSize()).isEqualTo(32769);
		assertThat(pool.insecureSkipVerify()).isFalse();
		assertThat(pool.connectTimeout()).hasSeconds(10);
		assertThat(pool.healthCheck()).isNull();
		assertThat(pool.passiveHealthCheck().enabled()).isTrue();
		assertThat(pool.passiveHealthCheck().fails()).isNull();
		assertThat(pool.passiveHealthCheck().backoff()).hasSeconds(10);
		assertThat(pool.passiveHealthCheck().maxBackoff()).hasMinutes(5);
		assertThat(pool.passiveFails()).isEqualTo(1);
		assertThat(pool.idleTimeout()).isZero();
		assertThat(pool.pingInterval()).hasSeconds(30);
		assertThat(pool.pingTimeout()).hasSeconds(10);
		assertThat(pool.maxSessions()).isZero();
		assertThat(pool.serverTls()).isNull();
		assertThat(pool.dnsRefresh()).isZero();
		assertThat(pool.servers().get(0).keepHost()).isFalse();
		assertThat(pool.servers().get(0).weight()).isZero();
	}

	@Test
	void blankOrNonPositiveValuesAreTheirDefaults() {
		LoadBalanceSpec loadBalance = bind(LoadBalanceSpec.class,
				Map.of("p.policy", "", "p.sticky-session.mode", "DurationBased", "p.sticky-session.lb-cookie-name", " ",
						"p.sticky-session.lb-cookie-expire", "0s"));

		assertThat(loadBalance.policy()).isEqualTo("roundRobin");
		assertThat(loadBalance.stickySession().lbCookieName()).isEqualTo("EG_SESSION");
		assertThat(loadBalance.stickySession().lbCookieExpire()).hasHours(2);
		assertThat(bind(HttpServerSpec.class, Map.of("p.address", "")).address()).isEqualTo("0.0.0.0");
		assertThat(bind(TlsSpec.class, Map.of("p.client-auth", "")).clientAuth()).isEqualTo("none");
		assertThat(bind(HttpCheckSpec.class, Map.of("p.method", "")).method()).isEqualTo("GET");
		RateLimiterSpec limiter = bind(RateLimiterSpec.class, Map.of("p.key", "", "p.store", "", "p.redis-failure", ""));
		assertThat(limiter.key()).isEqualTo("clientIp");
		assertThat(limiter.parsedStore()).isEqualTo(RateLimiterSpec.Store.LOCAL);
		assertThat(limiter.parsedRedisFailure()).isEqualTo(RateLimiterSpec.RedisFailure.ALLOW);
	}

	@Test
	void anHttpServerHasTheDocumentedDefaults() {
		HttpServerSpec server = defaults(HttpServerSpec.class);

		assertThat(server.address()).isEqualTo("0.0.0.0");
		assertThat(server.handshakeTimeout()).hasSeconds(10);
		assertThat(server.maxHeaderSize()).isEqualTo(DataSize.ofKilobytes(8));
		assertThat(server.proxyProtocol()).isFalse();
		assertThat(server.maxConnections()).isZero();
		assertThat(server.tls()).isNull();
		assertThat(server.ipFilter()).isNull();
		assertThat(defaults(TlsSpec.class).parsedClientAuth()).isEqualTo(HttpServerSpec.ClientAuth.NONE);
		assertThat(defaults(IpFilterSpec.class).blockByDefault()).isFalse();
		assertThat(defaults(ServerTlsSpec.class).insecureSkipVerify()).isFalse();
	}

	@Test
	void healthChecksHaveTheDocumentedDefaults() {
		HealthCheckSpec check = defaults(HealthCheckSpec.class);

		assertThat(check.interval()).hasSeconds(60);
		assertThat(check.timeout()).hasSeconds(3);
		assertThat(check.fails()).isEqualTo(1);
		assertThat(check.successesToRecover()).isEqualTo(1);
		assertThat(defaults(HttpCheckSpec.class).method()).isEqualTo("GET");
		assertThat(defaults(HttpCheckSpec.class).port()).isZero();
		assertThat(defaults(HttpCheckSpec.class).match().statusCodes()).isEmpty();
		assertThat(defaults(WsCheckSpec.class).match().body()).isNull();
	}

	@Test
	void filterOptionsHaveTheDocumentedDefaults() {
		RateLimiterSpec limiter = defaults(RateLimiterSpec.class);
		assertThat(limiter.key()).isEqualTo("clientIp");
		assertThat(limiter.store()).isEqualTo("local");
		assertThat(limiter.redisFailure()).isEqualTo("allow");
		assertThat(limiter.messages()).isNull();
		PolicySpec policy = defaults(PolicySpec.class);
		assertThat(policy.limitForPeriod()).isEqualTo(50);
		assertThat(policy.limitRefreshPeriod()).isEqualTo(Duration.ofMillis(10));
		assertThat(policy.timeoutDuration()).isEqualTo(Duration.ofMillis(100));
		MessagesSpec messages = bind(MessagesSpec.class, Map.of("p.per-second", "2.5"));
		assertThat(messages.burst()).as("perSecond rounded up").isEqualTo(3);
		assertThat(messages.parsedAction()).isEqualTo(RateLimiterSpec.MessageAction.PAUSE);
		assertThat(defaults(JwtSpec.class).clockSkew()).hasSeconds(60);
		assertThat(defaults(FirstMessageSpec.class).timeout()).hasSeconds(5);
		assertThat(defaults(BasicAuthSpec.class).mode()).isEqualTo("FILE");
	}

	private static <T> T bind(Class<T> type, Map<String, String> keys) {
		return new Binder(new MapConfigurationPropertySource(keys)).bindOrCreate("p", Bindable.of(type));
	}
}
