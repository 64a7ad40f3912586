package io.wsgate.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.wsgate.config.HealthCheckSpec;
import io.wsgate.pool.Server;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * All configured probes of a pool's health check: they run concurrently, and a server passes only
 * when every probe passes within the timeout.
 */
final class ServerChecker {

	private final List<HealthProbe> probes;

	private final Duration timeout;

	ServerChecker(HealthCheckSpec spec, HttpClient client) {
		List<HealthProbe> list = new ArrayList<>();
		if (spec.http() != null) {
			list.add(new HttpProbe(spec.http(), client));
		}
		if (spec.ws() != null) {
			list.add(new WebSocketProbe(spec.ws(), client));
		}
		this.probes = List.copyOf(list);
		this.timeout = spec.timeout();
	}

	Mono<CheckResult> check(Server server) {
		return Flux.fromIterable(probes)
			.flatMap(probe -> probe.check(server))
			.filter(result -> !result.healthy())
			.next()
			.defaultIfEmpty(CheckResult.OK)
			.timeout(timeout, Mono.fromSupplier(() -> CheckResult.failed("no answer within " + timeout.toMillis() + "ms")));
	}
}
