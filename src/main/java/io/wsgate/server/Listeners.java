package io.wsgate.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.HttpServerSpec.TlsSpec;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.request.TrustedProxies;
import io.wsgate.routing.Router;
import io.wsgate.tracing.HandshakeTracing;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.ProxyProtocolSupportType;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Starts one Reactor Netty server per {@code http-servers} entry, sharing the application's event
 * loops, and stops them gracefully: new sessions are refused and the ports stop accepting, open
 * sessions may go on for the drain period, then they are closed with 1001 on both sides.
 */
public final class Listeners implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(Listeners.class);

	/**
	 * What a graceful stop does with the sessions.
	 *
	 * @param period how long open sessions may go on after the ports closed
	 * @param refuseNewSessions called first
	 * @param closeOpenSessions called when the period is over
	 */
	public record Drain(Duration period, Runnable refuseNewSessions, Runnable closeOpenSessions) {
	}

	private final List<HttpServerSpec> specs;

	private final Pipelines pipelines;

	private final ReactorResourceFactory resources;

	private final SslBundles sslBundles;

	private final Drain drain;

	private final HandshakeTracing tracing;

	private final Map<String, WebServer> running = new LinkedHashMap<>();

	private boolean started;

	public Listeners(List<HttpServerSpec> specs, Pipelines pipelines, ReactorResourceFactory resources,
			SslBundles sslBundles, Drain drain, HandshakeTracing tracing) {
		this.specs = specs;
		this.pipelines = pipelines;
		this.resources = resources;
		this.sslBundles = sslBundles;
		this.drain = drain;
		this.tracing = tracing;
	}

	@Override
	public synchronized void start() {
		try {
			for (HttpServerSpec spec : specs) {
				WebServer server = create(spec);
				server.start();
				running.put(spec.name(), server);
				logger.info("http server '" + spec.name() + "' listening on " + spec.address() + ":" + server.getPort()
						+ ((spec.tls() != null) ? " (TLS)" : "") + (spec.proxyProtocol() ? " (PROXY protocol)" : ""));
			}
			this.started = true;
		}
		catch (RuntimeException ex) {
			running.values().forEach(WebServer::stop);
			running.clear();
			throw ex;
		}
	}

	private WebServer create(HttpServerSpec spec) {
		NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory(spec.port());
		try {
			factory.setAddress(InetAddress.getByName(spec.address()));
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("wsgate.http-servers '" + spec.name() + "': unknown address " + spec.address(), ex);
		}
		factory.setResourceFactory(resources);
		// Graceful: on stop the port closes at once and the server waits for its open connections.
		factory.setShutdown(Shutdown.GRACEFUL);
		if (spec.tls() != null) {
			factory.setSsl(ssl(spec.tls()));
			factory.setSslBundles(sslBundles);
		}
		AtomicInteger connections = new AtomicInteger();
		factory.addServerCustomizers(server -> server
			// ON, not AUTO: behind an L4 balancer a connection without the header is no client of ours.
			.proxyProtocol(spec.proxyProtocol() ? ProxyProtocolSupportType.ON : ProxyProtocolSupportType.OFF)
			.httpRequestDecoder(decoder -> decoder.maxHeaderSize((int) spec.maxHeaderSize().toBytes()))
			.idleTimeout(spec.handshakeTimeout())
			.doOnChannelInit((observer, channel, address) -> {
				if (!admit(channel, connections, spec.maxConnections())) {
					return;
				}
				HandshakeDeadline.install(channel, spec.handshakeTimeout());
			}));
		return factory.getWebServer(new GatewayHttpHandler(spec.name(), new Router(spec), pipelines, spec.tls() != null, tracing,
				TrustedProxies.of(spec.trustedProxies())));
	}

	/**
	 * Counts a new connection against {@code max} (0 = no cap) until it closes; one over the cap is
	 * closed at once (Easegress's {@code maxConnections}).
	 */
	private static boolean admit(Channel channel, AtomicInteger open, int max) {
		if (max <= 0) {
			return true;
		}
		if (open.incrementAndGet() > max) {
			open.decrementAndGet();
			channel.close();
			return false;
		}
		channel.closeFuture().addListener(closed -> open.decrementAndGet());
		return true;
	}

	private static Ssl ssl(TlsSpec tls) {
		Ssl ssl = tls.bundle().isEmpty() ? new Ssl() : Ssl.forBundle(tls.bundle());
		if (tls.bundle().isEmpty()) {
			ssl.setCertificate(tls.cert());
			ssl.setCertificatePrivateKey(tls.key());
			if (!tls.clientCa().isEmpty()) {
				ssl.setTrustCertificate(tls.clientCa());
			}
		}
		ssl.setClientAuth(Ssl.ClientAuth.valueOf(tls.clientAuth().toUpperCase(Locale.ROOT)));
		return ssl;
	}

	@Override
	public synchronized void stop(Runnable callback) {
		if (!started || running.isEmpty()) {
			stop();
			callback.run();
			return;
		}
		drain.refuseNewSessions().run();
		logger.info("stopping listeners: open sessions may go on for " + drain.period().toSeconds() + "s");
		AtomicInteger remaining = new AtomicInteger(running.size());
		Map<String, WebServer> servers = Map.copyOf(running);
		servers.values().forEach(server -> server.shutDownGracefully(result -> {
			if (remaining.decrementAndGet() == 0) {
				stop();
				callback.run();
			}
		}));
		Schedulers.parallel().schedule(() -> {
			logger.info("drain period over: closing the open sessions with 1001");
			drain.closeOpenSessions().run();
		}, drain.period().toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		running.values().forEach(WebServer::stop);
		running.clear();
		this.started = false;
	}

	@Override
	public synchronized boolean isRunning() {
		return started;
	}

	/** The http servers, those of wsgate.http-servers and those of Easegress files. */
	public List<HttpServerSpec> specs() {
		return specs;
	}

	/** The port an http server listens on (useful when configured with port 0). */
	public synchronized int port(String serverName) {
		WebServer server = running.get(serverName);
		if (server == null) {
			throw new IllegalArgumentException("no running http server named " + serverName);
		}
		return server.getPort();
	}
}
