package io.wsgate.filter.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Declares the {@code RateLimiter} kind. The Redis client Spring Boot configures is only looked up
 * by a filter with {@code store: redis}: a gateway without one never touches Redis.
 */
@Configuration(proxyBeanMethods = false)
class RateLimiterConfiguration {

	@Bean
	RateLimiterKind rateLimiterKind(ObjectProvider<ReactiveStringRedisTemplate> redis, MeterRegistry meters) {
		return new RateLimiterKind(redis::getIfAvailable, meters);
	}
}
