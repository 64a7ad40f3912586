package io.wsgate.pipeline;

import java.nio.charset.StandardCharsets;

import io.wsgate.request.RequestInfo;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * One request going through a pipeline.
 *
 * @param request the client's request
 * @param response the client's response
 * @param info the request as routing and load balancing see it
 * @param httpServer the name of the http server that received it
 * @param pipeline the name of the pipeline
 * @param secure whether the client connection uses TLS
 */
public record FilterContext(ServerHttpRequest request, ServerHttpResponse response, RequestInfo info,
		String httpServer, String pipeline, boolean secure) {

	/** Answers with a status and a one-line plain-text body (never hangs the client). */
	public Mono<Void> respond(int status, String message) {
		return respond(response, status, message);
	}

	/** Answers {@code response} with a status and a one-line plain-text body. */
	public static Mono<Void> respond(ServerHttpResponse response, int status, String message) {
		if (isAnswered(response)) {
			return Mono.empty();
		}
		response.setStatusCode(HttpStatusCode.valueOf(status));
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
	}

	/** Whether the response was already sent, by Spring or natively (a WebSocket upgrade). */
	public static boolean isAnswered(ServerHttpResponse response) {
		return response.isCommitted() || (ServerHttpResponseDecorator.getNativeResponse(response) instanceof HttpServerResponse
				netty && netty.hasSentHeaders());
	}
}
