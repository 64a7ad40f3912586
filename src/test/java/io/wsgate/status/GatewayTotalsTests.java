package io.wsgate.status;

import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.status.GatewayTotals.FilterId;
import io.wsgate.status.GatewayTotals.Totals;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Handshakes and refusals: the proxy's outcomes, plus what filters refused before it. */
class GatewayTotalsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final GatewayMetrics metrics = new GatewayMetrics(registry);

	private final GatewayTotals totals = new GatewayTotals(metrics, registry);

	@Test
	void handshakesRefusedByAFilterBeforeTheProxyCountAsHandshakesAndRefusals() {
		// 5 handshakes pass the Validator, 3 are refused by it; of the 5, the proxy upgrades 4 and refuses 1.
		metrics.filterResult("chat", "auth", "Validator", "continue").increment(5);
		metrics.filterResult("chat", "auth", "Validator", "invalid").increment(3);
		metrics.filterResult("chat", "wsproxy", "WebSocketProxy", "continue").increment(4);
		metrics.filterResult("chat", "wsproxy", "WebSocketProxy", "clientError").increment(1);
		for (int i = 0; i < 4; i++) {
			metrics.handshakeOutcome("gw", "chat", "websocketproxy#wsproxy#main", HandshakeOutcome.UPGRADED);
		}
		metrics.handshakeOutcome("gw", "chat", "websocketproxy#wsproxy#main", HandshakeOutcome.REJECTED);

		Totals read = totals.read();

		assertThat(read.filterRefusals()).isEqualTo(3);
		assertThat(read.handshakes()).isEqualTo(8);
		assertThat(read.refusals()).as("the proxy's refusal is counted once, by its outcome").isEqualTo(4);
	}

	@Test
	void filterResultsAreCountedByFilterAndResult() {
		metrics.filterResult("chat", "adaptor", "RequestAdaptor", "continue").increment(2);
		metrics.filterResult("chat", "wsproxy", "WebSocketProxy", "continue").increment(1);
		metrics.filterResult("chat", "wsproxy", "WebSocketProxy", "clientError").increment(1);
		metrics.filterResult("feed", "wsproxy", "WebSocketProxy", "serverError").increment(4);

		assertThat(totals.filterResults()).containsOnly(
				Map.entry(new FilterId("chat", "adaptor"), Map.of("continue", 2L)),
				Map.entry(new FilterId("chat", "wsproxy"), Map.of("continue", 1L, "clientError", 1L)),
				Map.entry(new FilterId("feed", "wsproxy"), Map.of("serverError", 4L)));
		assertThat(totals.read().filterRefusals()).isZero();
	}
}
