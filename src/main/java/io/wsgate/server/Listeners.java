package io.wsgate.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.pipeline.Pipeline;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.routing.Router;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Starts one Reactor Netty server per {@code http-servers} entry, sharing the application's event
 * loops, and stops them with the application.
 */
public final class Listeners implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(Listeners.class);

	private final List<HttpServerSpec> specs;

	private final Pipelines pipelines;

	private final ReactorResourceFactory resources;

	private final Map<String, WebServer> running = new LinkedHashMap<>();

	private boolean started;

	public Listeners(List<HttpServerSpec> specs, Pipelines pipelines, ReactorResourceFactory resources) {
		this.specs = specs;
		this.pipelines = pipelines;
		this.resources = resources;
	}

	@Override
	public synchronized void start() {
		List<WebServer> started = new ArrayList<>();
		try {
			for (HttpServerSpec spec : specs) {
				WebServer server = create(spec);
				server.start();
				started.add(server);
				running.put(spec.name(), server);
				logger.info("http server '" + spec.name() + "' listening on " + spec.address() + ":" + server.getPort());
			}
			this.started = true;
		}
		catch (RuntimeException ex) {
			started.forEach(WebServer::stop);
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
		return factory.getWebServer(new GatewayHttpHandler(spec.name(), new Router(spec), pipelines, false));
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

	/** The port an http server listens on (useful when configured with port 0). */
	public synchronized int port(String serverName) {
		WebServer server = running.get(serverName);
		if (server == null) {
			throw new IllegalArgumentException("no running http server named " + serverName);
		}
		return server.getPort();
	}
}
