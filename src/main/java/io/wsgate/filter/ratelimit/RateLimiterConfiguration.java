package io.wsgate.filter.ratelimit;

import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Declares the {@code RateLimiter} kind. The Redis client Spring Boot configures is only looked up
 * by a filter with {@code store: redis}: a gateway without one never touches Redis.
 */
@Configuration(proxyBeanMethods = false)
class RateLimiterConfiguration {

	/**
	 * While the connection to Redis is down, Lettuce would queue commands until it reconnects: each
	 * handshake would then wait the store's whole timeout. Refused at once instead, they meet
	 * {@code redisFailure} without delay.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer failFastWhileRedisIsDisconnected() {
		return options -> options.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS);
	}

	@Bean
	RateLimiterKind rateLimiterKind(ObjectProvider<ReactiveStringRedisTemplate> redis, MeterRegistry meters) {
		return new RateLimiterKind(redis::getIfAvailable, meters);
	}
}
