package io.wsgate.health;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.netty.handler.codec.http.HttpMethod;
import io.wsgate.config.HealthCheckSpec.HttpCheckSpec;
import io.wsgate.pool.Server;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * An HTTP request to the server (ws:// as http://, wss:// as https://): healthy when the status is in
 * {@code match.statusCodes} (default 200..399) and the headers and body match. Redirects are not
 * followed (a 3xx is judged as it is), and at most 64 KiB of the body is looked at.
 */
final class HttpProbe implements HealthProbe {

	private static final int[] DEFAULT_RANGE = { 200, 399 };

	private static final int MAX_BODY = 64 * 1024;

	private final HttpCheckSpec spec;

	private final HttpClient client;

	private final ResponseMatcher matcher;

	HttpProbe(HttpCheckSpec spec, HttpClient client) {
		this.spec = spec;
		this.matcher = new ResponseMatcher(spec.match(), DEFAULT_RANGE);
		this.client = client.headers(h -> {
			spec.headers().forEach(h::set);
			if (!spec.username().isEmpty()) {
				String credentials = spec.username() + ":" + spec.password();
				h.set("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
			}
			h.set("Connection", "close");
		});
	}

	@Override
	public Mono<CheckResult> check(Server server) {
		URI target = ProbeTarget.of(server, false, spec.port(), spec.uri());
		// A server that is one address of a DNS name is checked with the name as Host, as traffic is.
		boolean nameAsHost = server.hostHeader() != null
				&& spec.headers().keySet().stream().noneMatch("Host"::equalsIgnoreCase);
		HttpClient client = nameAsHost ? this.client.headers(h -> h.set("Host", server.hostHeader())) : this.client;
		return client.request(HttpMethod.valueOf(spec.method().toUpperCase(java.util.Locale.ROOT)))
			.uri(target)
			.send(spec.body().isEmpty() ? ByteBufFlux.empty() : ByteBufFlux.fromString(Mono.just(spec.body())))
			.response((response, content) -> content.asString(StandardCharsets.UTF_8)
				.collect(StringBuilder::new, (body, chunk) -> {
					if (body.length() < MAX_BODY) {
						body.append(chunk, 0, Math.min(chunk.length(), MAX_BODY - body.length()));
					}
				})
				.flatMap(body -> Mono.justOrEmpty(
						matcher.mismatch(response.status().code(), response.responseHeaders()::get, body.toString()))))
			.next()
			.map(mismatch -> CheckResult.failed("http check: " + mismatch))
			.defaultIfEmpty(CheckResult.OK)
			.onErrorResume(ex -> Mono.just(CheckResult.failed("http check: " + WebSocketProbe.describe(ex))));
	}
}
