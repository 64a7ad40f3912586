package io.wsgate.server;

import java.io.IOException;
import java.util.function.Supplier;


import io.micrometer.observation.Observation;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.Pipeline;
import io.wsgate.request.RequestInfo;
import io.wsgate.routing.Route;
import io.wsgate.server.RoutingTable.ListenerRouting;
import io.wsgate.server.RoutingTable.PipelineHold;
import io.wsgate.tracing.HandshakeTracing;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;

/** The handler of one http server: routes each request and runs the pipeline it routes to. */
final class GatewayHttpHandler implements HttpHandler {

	private static final Log logger = LogFactory.getLog(GatewayHttpHandler.class);

	private final String serverName;

	private final Supplier<? extends RoutingTable> routing;

	private final boolean secure;

	private final HandshakeTracing tracing;

	/**
	 * @param routing the configuration in force, read for each request
	 */
	GatewayHttpHandler(String serverName, Supplier<? extends RoutingTable> routing, boolean secure,
			HandshakeTracing tracing) {
		this.serverName = serverName;
		this.routing = routing;
		this.secure = secure;
		this.tracing = tracing;
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		Mono<Void> routed;
		try {
			routed = route(request, response);
		}
		catch (RuntimeException ex) {
			routed = Mono.error(ex);
		}
		return routed.onErrorResume(ex -> {
			if (isClientGone(ex)) {
				// The client left mid-handshake (reset, closed): nothing to answer, nothing wrong here.
				logger.debug("http server '" + serverName + "': client left during " + request.getPath() + ": " + ex);
				return Mono.empty();
			}
			logger.error("http server '" + serverName + "': request " + request.getPath() + " failed", ex);
			return FilterContext.respond(response, 500, "internal gateway error");
		});
	}

	private static boolean isClientGone(Throwable ex) {
		return ex instanceof AbortedException || ex instanceof IOException;
	}

	private Mono<Void> route(ServerHttpRequest request, ServerHttpResponse response) {
		RoutingTable table = routing.get();
		ListenerRouting listener = table.listener(serverName);
		if (listener == null) {
			// A request on a kept-alive connection of an http server that a reload removed.
			return FilterContext.respond(response, 503, "this http server is being removed");
		}
		RequestInfo info = RequestInfo.of(request, listener.trustedProxies());
		Route route = listener.router().route(info);
		String routed = route.pipeline();
		if (routed == null) {
			tracing.startHandshake(nettyHeaders(request), serverName)
				.lowCardinalityKeyValue("outcome", "not_routed")
				.lowCardinalityKeyValue("status", String.valueOf(route.status()))
				.stop();
			return FilterContext.respond(response, route.status(), route.reason());
		}
		PipelineHold hold = table.hold(routed);
		if (hold == null) {
			// A reload replaced the table since it was read: the one in force now decides.
			return route(request, response);
		}
		Observation observation = tracing.startHandshake(nettyHeaders(request), serverName);
		Pipeline pipeline = hold.pipeline();
		observation.lowCardinalityKeyValue("route", route.path()).lowCardinalityKeyValue("pipeline", pipeline.name());
		FilterContext context = new FilterContext(request, response, info, serverName, pipeline.name(), secure, observation);
		context.sessionHold(() -> hold.another()::release);
		// Filters end the observation when they answer; this covers a flow that ends otherwise.
		Mono<Void> run = pipeline.run(context);
		if (!observation.isNoop()) {
			run = run.doOnError(observation::error);
		}
		return run.doFinally(signal -> {
			hold.release();
			context.endHandshake("ended", response.getStatusCode() != null ? response.getStatusCode().value() : 0);
		});
	}

	private static io.netty.handler.codec.http.HttpHeaders nettyHeaders(ServerHttpRequest request) {
		return ((HttpServerRequest) ServerHttpRequestDecorator.getNativeRequest(request)).requestHeaders();
	}
}
