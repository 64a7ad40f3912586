package io.wsgate.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.wsgate.config.HealthCheckSpec;
import io.wsgate.config.HealthCheckSpec.WsCheckSpec;
import io.wsgate.config.PassiveHealthCheckSpec;
import io.wsgate.config.PoolSpec;
import io.wsgate.config.PoolSpec.ServerSpec;
import org.junit.jupiter.api.Test;

import static io.wsgate.config.TestSpecs.defaults;
import static io.wsgate.config.TestSpecs.spec;
import static io.wsgate.pool.ServerState.CheckChange.DOWN;
import static io.wsgate.pool.ServerState.CheckChange.NONE;
import static io.wsgate.pool.ServerState.CheckChange.READMITTED;
import static io.wsgate.pool.ServerState.CheckChange.UP;
import static org.assertj.core.api.Assertions.assertThat;

/** The pure health state machine: thresholds of active checks, back-off of passive health. */
class ServerStateTests {

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private static ServerState state(HealthCheckSpec check, PassiveHealthCheckSpec passive) {
		PoolSpec spec = spec(PoolSpec.class, "servers", List.of(spec(ServerSpec.class, "url", "ws://a:1")), "healthCheck", check,
				"passiveHealthCheck", (passive != null) ? passive : defaults(PassiveHealthCheckSpec.class));
		return new ServerState(Server.of(spec.servers().get(0)), spec);
	}

	private static HealthCheckSpec check(int fails, int pass) {
		return spec(HealthCheckSpec.class, "fails", fails, "pass", pass, "ws", defaults(WsCheckSpec.class));
	}

	@Test
	void serversStartHealthy() {
		assertThat(state(check(1, 1), null).isAvailable(T0)).isTrue();
	}

	@Test
	void goesDownAfterFailsConsecutiveFailuresAndUpAfterPassConsecutiveSuccesses() {
		ServerState state = state(check(3, 2), null);
		assertThat(state.recordCheck(false, "x", T0)).isEqualTo(NONE);
		assertThat(state.recordCheck(false, "x", T0)).isEqualTo(NONE);
		assertThat(state.recordCheck(true, null, T0)).as("a success resets the failure count").isEqualTo(NONE);
		state.recordCheck(false, "x", T0);
		state.recordCheck(false, "x", T0);
		assertThat(state.recordCheck(false, "boom", T0)).as("third consecutive failure").isEqualTo(DOWN);
		assertThat(state.isAvailable(T0)).isFalse();
		assertThat(state.snapshot(T0).lastFailure()).isEqualTo("boom");
		assertThat(state.recordCheck(true, null, T0)).isEqualTo(NONE);
		assertThat(state.recordCheck(false, "x", T0)).as("a failure resets the success count").isEqualTo(NONE);
		assertThat(state.recordCheck(true, null, T0)).isEqualTo(NONE);
		assertThat(state.recordCheck(true, null, T0)).as("second consecutive success").isEqualTo(UP);
		assertThat(state.isAvailable(T0)).isTrue();
	}

	@Test
	void failedDialsTakeTheServerOutForAGrowingBackoff() {
		ServerState state = state(null, spec(PassiveHealthCheckSpec.class, "fails", 2, "backoff", Duration.ofSeconds(10),
				"maxBackoff", Duration.ofSeconds(25)));
		assertThat(state.recordDialFailure("refused", T0)).as("first of two").isNull();
		assertThat(state.recordDialFailure("refused", T0)).isEqualTo(Duration.ofSeconds(10));
		assertThat(state.isAvailable(T0.plusSeconds(9))).isFalse();
		assertThat(state.isAvailable(T0.plusSeconds(10))).as("tried again after the back-off").isTrue();
		// on probation, one failure is enough, and the back-off doubles up to the maximum
		assertThat(state.recordDialFailure("refused", T0.plusSeconds(10))).isEqualTo(Duration.ofSeconds(20));
		assertThat(state.recordDialFailure("refused", T0.plusSeconds(30))).isEqualTo(Duration.ofSeconds(25));
		assertThat(state.recordDialSuccess(T0.plusSeconds(31))).as("a dial begun before it went out").isTrue();
		assertThat(state.isAvailable(T0.plusSeconds(31))).isTrue();
		assertThat(state.recordDialFailure("refused", T0.plusSeconds(40))).as("reset by the success").isNull();
	}

	@Test
	void aPassingCheckBringsBackAServerThatFailedInTrafficBeforeItsBackoffEnds() {
		ServerState state = state(check(1, 1), spec(PassiveHealthCheckSpec.class, "fails", 1, "backoff", Duration.ofSeconds(10)));
		assertThat(state.recordDialFailure("refused", T0)).isEqualTo(Duration.ofSeconds(10));
		assertThat(state.recordCheck(false, "refused", T0.plusSeconds(1))).isEqualTo(DOWN);
		assertThat(state.recordCheck(true, null, T0.plusSeconds(2))).as("checks pass and the back-off ends").isEqualTo(UP);
		assertThat(state.isAvailable(T0.plusSeconds(2))).isTrue();
		assertThat(state.snapshot(T0.plusSeconds(2)).ejectedUntil()).isNull();
		// Still on probation: the next failed dial takes it out again, for twice as long.
		assertThat(state.recordDialFailure("refused", T0.plusSeconds(3))).isEqualTo(Duration.ofSeconds(20));
		assertThat(state.recordCheck(true, null, T0.plusSeconds(4))).as("checks never failed").isEqualTo(READMITTED);
		assertThat(state.isAvailable(T0.plusSeconds(4))).isTrue();
		assertThat(state.recordCheck(true, null, T0.plusSeconds(5))).isEqualTo(NONE);
	}

	@Test
	void aDialSuccessOfAServerThatIsInChangesNothing() {
		ServerState state = state(null, null);
		assertThat(state.recordDialSuccess(T0)).isFalse();
	}

	@Test
	void passiveFailsDefaultsToTheActiveChecksFails() {
		ServerState state = state(check(2, 1), null);
		assertThat(state.recordDialFailure("refused", T0)).isNull();
		assertThat(state.recordDialFailure("refused", T0)).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void passiveHealthCanBeSwitchedOff() {
		ServerState state = state(null, spec(PassiveHealthCheckSpec.class, "enabled", false));
		for (int i = 0; i < 5; i++) {
			assertThat(state.recordDialFailure("refused", T0)).isNull();
		}
		assertThat(state.isAvailable(T0)).isTrue();
	}
}
