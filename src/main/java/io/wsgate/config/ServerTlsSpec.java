package io.wsgate.config;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TLS toward {@code wss://} backends ({@code pools[i].serverTls}). Without it the JVM's trust store
 * is used and the backend's host name is verified.
 *
 * @param bundle a {@code spring.ssl.bundle.*} bundle: its trust material, and its key for mTLS
 * @param ca PEM location of the CAs to trust ({@code file:} or {@code classpath:})
 * @param cert PEM location of the client certificate chain for mTLS (with {@code key})
 * @param key PEM location of the client private key
 * @param insecureSkipVerify trust any backend certificate and host name (tests only; default false)
 */
public record ServerTlsSpec(String bundle, String ca, String cert, String key,
		@DefaultValue("false") boolean insecureSkipVerify) {

	public ServerTlsSpec {
		bundle = Specs.text(bundle);
		ca = Specs.text(ca);
		cert = Specs.text(cert);
		key = Specs.text(key);
	}
}
