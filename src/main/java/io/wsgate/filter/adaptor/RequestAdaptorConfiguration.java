package io.wsgate.filter.adaptor;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Declares the {@code RequestAdaptor} kind; the filter registry picks it up. */
@Configuration(proxyBeanMethods = false)
class RequestAdaptorConfiguration {

	@Bean
	RequestAdaptorKind requestAdaptorKind() {
		return new RequestAdaptorKind();
	}
}
