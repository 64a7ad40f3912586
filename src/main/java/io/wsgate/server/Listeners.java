package io.wsgate.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.HttpServerSpec.TlsSpec;
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
 * sessions may go on for the drain period, then they are closed with 1001 on both sides. Each
 * request reads the configuration in force ({@link RoutingTable}); a reload changes the servers
 * themselves ({@link #apply}) only when one is added, removed, or changes what its socket does.
 */
public final class Listeners implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(Listeners.class);

	/** How long a listener that changes its socket options waits for its port to be free again. */
	private static final Duration REBIND_WAIT = Duration.ofSeconds(2);

	/**
	 * What a graceful stop does with the sessions.
	 *
	 * @param period how long open sessions may go on after the ports closed
	 * @param refuseNewSessions called first
	 * @param closeOpenSessions called when the period is over
	 */
	public record Drain(Duration period, Runnable refuseNewSessions, Runnable closeOpenSessions) {
	}

	/**
	 * A port of a new configuration that cannot be bound.
	 */
	public static final class BindFailedException extends RuntimeException {

		private final String path;

		BindFailedException(String path, String message, Throwable cause) {
			super(message, cause);
			this.path = path;
		}

		/** The key path of the http server's port. */
		public String path() {
			return path;
		}
	}

	private record Running(HttpServerSpec spec, WebServer server) {
	}

	private final List<HttpServerSpec> initial;

	private final Supplier<? extends RoutingTable> routing;

	private final ReactorResourceFactory resources;

	private final SslBundles sslBundles;

	private final Drain drain;

	private final HandshakeTracing tracing;

	private final Map<String, Running> running = new LinkedHashMap<>();

	/** Servers a reload removed or replaced, still waiting for their connections to end. */
	private final Set<WebServer> retiring = ConcurrentHashMap.newKeySet();

	private boolean started;

	/**
	 * @param specs the http servers to start with
	 * @param routing the configuration in force, read by each request
	 */
	public Listeners(List<HttpServerSpec> specs, Supplier<? extends RoutingTable> routing, ReactorResourceFactory resources,
			SslBundles sslBundles, Drain drain, HandshakeTracing tracing) {
		this.initial = specs;
		this.routing = routing;
		this.resources = resources;
		this.sslBundles = sslBundles;
		this.drain = drain;
		this.tracing = tracing;
	}

	@Override
	public synchronized void start() {
		try {
			for (HttpServerSpec spec : initial) {
				running.put(spec.name(), new Running(spec, bind(spec)));
			}
			this.started = true;
		}
		catch (RuntimeException ex) {
			running.values().forEach(r -> r.server().stop());
			running.clear();
			throw ex;
		}
	}

	/**
	 * Brings the servers to a new configuration's http servers: added ones start, removed ones stop
	 * accepting (their open connections go on), and one whose socket options changed (port, address,
	 * TLS, PROXY protocol, header size, handshake timeout, maxConnections) is replaced the same way. Servers whose
	 * socket stays the same are untouched: their requests read the new routing by themselves.
	 *
	 * @throws BindFailedException when a port cannot be bound; then nothing changed
	 */
	public synchronized void apply(List<HttpServerSpec> next) {
		if (!started) {
			return;
		}
		Map<String, Running> bound = new LinkedHashMap<>();
		Map<String, Running> released = new LinkedHashMap<>();
		try {
			for (int i = 0; i < next.size(); i++) {
				HttpServerSpec spec = next.get(i);
				Running current = running.get(spec.name());
				if (current != null && sameSocket(current.spec(), spec)) {
					continue;
				}
				String path = "wsgate.http-servers[" + i + "].port";
				if (current != null && sameEndpoint(current.spec(), spec)) {
					// The same port with other options: it has to be given up first.
					released.put(spec.name(), current);
					stopAccepting(current.server());
					bound.put(spec.name(), new Running(spec, bindWaiting(spec, path)));
				}
				else {
					bound.put(spec.name(), new Running(spec, bind(spec, path)));
				}
			}
		}
		catch (BindFailedException ex) {
			bound.values().forEach(r -> r.server().stop());
			released.forEach((name, previous) -> {
				try {
					running.put(name, new Running(previous.spec(), bind(previous.spec())));
				}
				catch (RuntimeException again) {
					logger.error("http server '" + name + "' could not take its port back: " + again);
					running.remove(name);
				}
			});
			throw ex;
		}
		Set<String> names = new HashSet<>();
		next.forEach(spec -> names.add(spec.name()));
		for (Map.Entry<String, Running> entry : Map.copyOf(running).entrySet()) {
			String name = entry.getKey();
			if (!names.contains(name) || (bound.containsKey(name) && !released.containsKey(name))) {
				logger.info("http server '" + name + "' " + (names.contains(name) ? "replaced" : "removed")
						+ ": it stops accepting, its open sessions go on");
				stopAccepting(entry.getValue().server());
				running.remove(name);
			}
		}
		running.putAll(bound);
	}

	/** Closes the port at once; the server stops when its last connection ended. */
	private void stopAccepting(WebServer server) {
		retiring.add(server);
		server.shutDownGracefully(result -> {
			server.stop();
			retiring.remove(server);
		});
	}

	private WebServer bindWaiting(HttpServerSpec spec, String path) {
		long deadline = System.nanoTime() + REBIND_WAIT.toNanos();
		while (true) {
			try {
				return bind(spec, path);
			}
			catch (BindFailedException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
			}
		}
	}

	private WebServer bind(HttpServerSpec spec, String path) {
		try {
			return bind(spec);
		}
		catch (RuntimeException ex) {
			throw new BindFailedException(path, "cannot listen on " + spec.address() + ":" + spec.port() + ": "
					+ rootMessage(ex), ex);
		}
	}

	private WebServer bind(HttpServerSpec spec) {
		WebServer server = create(spec);
		server.start();
		logger.info("http server '" + spec.name() + "' listening on " + spec.address() + ":" + server.getPort()
				+ ((spec.tls() != null) ? " (TLS)" : "") + (spec.proxyProtocol() ? " (PROXY protocol)" : ""));
		return server;
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
	}

	/** Whether two specs of an http server make the same socket (then the running server serves on). */
	static boolean sameSocket(HttpServerSpec a, HttpServerSpec b) {
		return sameEndpoint(a, b) && Objects.equals(a.tls(), b.tls()) && Objects.equals(a.proxyProtocol(), b.proxyProtocol())
				&& Objects.equals(a.maxHeaderSize(), b.maxHeaderSize())
				&& Objects.equals(a.handshakeTimeout(), b.handshakeTimeout())
				&& Objects.equals(a.maxConnections(), b.maxConnections());
	}

	/** Same address and the same fixed port (port 0 is a new port each time it is bound). */
	private static boolean sameEndpoint(HttpServerSpec a, HttpServerSpec b) {
		return Objects.equals(a.address(), b.address()) && Objects.equals(a.port(), b.port());
	}

	private WebServer create(HttpServerSpec spec) {
		NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory(Objects.requireNonNull(spec.port(), "validated"));
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
		return factory.getWebServer(new GatewayHttpHandler(spec.name(), routing, spec.tls() != null, tracing));
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
		ssl.setClientAuth(switch (Objects.requireNonNull(tls.parsedClientAuth(), "validated")) {
			case NONE -> Ssl.ClientAuth.NONE;
			case WANT -> Ssl.ClientAuth.WANT;
			case NEED -> Ssl.ClientAuth.NEED;
		});
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
		List<WebServer> servers = running.values().stream().map(Running::server).toList();
		servers.forEach(server -> server.shutDownGracefully(result -> {
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
		running.values().forEach(r -> r.server().stop());
		running.clear();
		retiring.forEach(WebServer::stop);
		retiring.clear();
		this.started = false;
	}

	@Override
	public synchronized boolean isRunning() {
		return started;
	}

	/** The http servers listening now, those of wsgate.http-servers and those of Easegress files. */
	public synchronized List<HttpServerSpec> specs() {
		return running.values().stream().map(Running::spec).toList();
	}

	/** The port an http server listens on (useful when configured with port 0). */
	public synchronized int port(String serverName) {
		Running server = running.get(serverName);
		if (server == null) {
			throw new IllegalArgumentException("no running http server named " + serverName);
		}
		return server.server().getPort();
	}

	/** Whether an http server of this name is listening. */
	public synchronized boolean isListening(String serverName) {
		return running.containsKey(serverName);
	}
}
