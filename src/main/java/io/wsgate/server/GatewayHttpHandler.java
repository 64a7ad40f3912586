package io.wsgate.server;

import java.io.IOException;


import io.micrometer.observation.Observation;
import io.wsgate.pipeline.FilterContext;
import io.wsgate.pipeline.Pipeline;
import io.wsgate.pipeline.Pipelines;
import io.wsgate.request.RequestInfo;
import io.wsgate.request.TrustedProxies;
import io.wsgate.routing.Route;
import io.wsgate.routing.Router;
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

	private final Router router;

	private final Pipelines pipelines;

	private final boolean secure;

	private final HandshakeTracing tracing;

	private final TrustedProxies trustedProxies;

	GatewayHttpHandler(String serverName, Router router, Pipelines pipelines, boolean secure, HandshakeTracing tracing,
			TrustedProxies trustedProxies) {
		this.serverName = serverName;
		this.trustedProxies = trustedProxies;
		this.router = router;
		this.pipelines = pipelines;
		this.secure = secure;
		this.tracing = tracing;
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		return Mono.defer(() -> route(request, response)).onErrorResume(ex -> {
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
		RequestInfo info = RequestInfo.of(request, trustedProxies);
		Observation observation = tracing.startHandshake(nettyHeaders(request), serverName);
		Route route = router.route(info);
		if (!route.isRouted()) {
			observation.lowCardinalityKeyValue("outcome", "not_routed")
				.lowCardinalityKeyValue("status", String.valueOf(route.status()))
				.stop();
			return FilterContext.respond(response, route.status(), route.reason());
		}
		Pipeline pipeline = pipelines.get(route.pipeline());
		observation.lowCardinalityKeyValue("route", route.path()).lowCardinalityKeyValue("pipeline", pipeline.name());
		FilterContext context = new FilterContext(request, response, info, serverName, pipeline.name(), secure, observation);
		// Filters end the observation when they answer; this covers a flow that ends otherwise.
		return pipeline.run(context)
			.doOnError(observation::error)
			.doFinally(signal -> context.endHandshake("ended", response.getStatusCode() != null
					? response.getStatusCode().value() : 0));
	}

	private static io.netty.handler.codec.http.HttpHeaders nettyHeaders(ServerHttpRequest request) {
		return ((HttpServerRequest) ServerHttpRequestDecorator.getNativeRequest(request)).requestHeaders();
	}
}
