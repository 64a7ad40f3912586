package io.wsgate.pool;

import java.io.IOException;
import java.io.InputStream;

import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.wsgate.config.ServerTlsSpec;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.ResourceLoader;

/**
 * The TLS toward a pool's {@code wss://} servers, built once from its {@code serverTls}: the
 * proxy's dials and the health probes use the same one, so a check sees the server as traffic does.
 */
public final class BackendTls {

	private static final ResourceLoader RESOURCES = new DefaultResourceLoader();

	private final SslContext context;

	private final boolean skipVerify;

	private BackendTls(SslContext context, boolean skipVerify) {
		this.context = context;
		this.skipVerify = skipVerify;
	}

	/** The TLS of a pool's {@code serverTls} (null: none, Reactor Netty's defaults: JVM trust store, host name verified). */
	public static @Nullable BackendTls of(@Nullable ServerTlsSpec spec, SslBundles bundles) {
		if (spec == null) {
			return null;
		}
		try {
			SslContextBuilder builder = SslContextBuilder.forClient();
			// Validation allows one source of key material: a bundle, or PEM locations.
			if (!spec.bundle().isEmpty()) {
				SslBundle bundle = bundles.getBundle(spec.bundle());
				builder.trustManager(bundle.getManagers().getTrustManagerFactory())
					.keyManager(bundle.getManagers().getKeyManagerFactory());
			}
			else {
				if (!spec.ca().isEmpty()) {
					try (InputStream ca = open(spec.ca())) {
						builder.trustManager(ca);
					}
				}
				if (!spec.cert().isEmpty()) {
					try (InputStream cert = open(spec.cert()); InputStream key = open(spec.key())) {
						builder.keyManager(cert, key);
					}
				}
			}
			if (spec.insecureSkipVerify()) {
				builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
			}
			return new BackendTls(builder.build(), spec.insecureSkipVerify());
		}
		catch (IOException ex) {
			throw new IllegalStateException("serverTls: " + ex.getMessage(), ex);
		}
	}

	/** The client with this TLS for wss:// URIs; the backend's host name is verified unless skipped. */
	public HttpClient applyTo(HttpClient client) {
		return client.secure(spec -> spec.sslContext(context).handlerConfigurator(handler -> {
			SSLParameters parameters = handler.engine().getSSLParameters();
			parameters.setEndpointIdentificationAlgorithm(skipVerify ? null : "HTTPS");
			handler.engine().setSSLParameters(parameters);
		}));
	}

	/**
	 * The TLS handler of a dial to {@code host}:{@code port} with this TLS ({@code tls} null: the JVM's
	 * trust store). The certificate is checked for {@code name} when the server is an address of a DNS
	 * name (sent as SNI too), for the host dialled otherwise, unless verification is skipped.
	 *
	 * @param name the DNS name the server is an address of; null for a server dialled as configured
	 */
	public static SslHandler handler(@Nullable BackendTls tls, ByteBufAllocator alloc, String host, int port,
			@Nullable String name) {
		SslContext context = (tls != null) ? tls.context : DefaultContext.INSTANCE;
		boolean skip = tls != null && tls.skipVerify;
		SslHandler handler = context.newHandler(alloc, (name != null) ? name : host, port);
		SSLParameters parameters = handler.engine().getSSLParameters();
		if (name != null) {
			parameters.setServerNames(List.of(new SNIHostName(name)));
		}
		parameters.setEndpointIdentificationAlgorithm(skip ? null : "HTTPS");
		handler.engine().setSSLParameters(parameters);
		return handler;
	}

	/** The JVM's trust store, built once, on first use. */
	private static final class DefaultContext {

		static final SslContext INSTANCE;

		static {
			try {
				INSTANCE = SslContextBuilder.forClient().build();
			}
			catch (IOException ex) {
				throw new IllegalStateException("default TLS context: " + ex.getMessage(), ex);
			}
		}
	}

	private static InputStream open(String location) throws IOException {
		return RESOURCES.getResource(location).getInputStream();
	}
}
