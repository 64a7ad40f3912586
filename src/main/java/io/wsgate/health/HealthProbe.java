package io.wsgate.health;

import io.wsgate.pool.Server;
import reactor.core.publisher.Mono;

/** One kind of check of a server. Implementations never block and never throw: a failure is a result. */
interface HealthProbe {

	Mono<CheckResult> check(Server server);
}
