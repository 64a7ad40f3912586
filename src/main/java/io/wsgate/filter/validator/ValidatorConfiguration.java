package io.wsgate.filter.validator;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Declares the {@code Validator} filter kind; the filter registry picks it up. */
@Configuration(proxyBeanMethods = false)
class ValidatorConfiguration {

	@Bean
	ValidatorKind validatorKind() {
		return new ValidatorKind();
	}
}
