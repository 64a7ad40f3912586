package io.wsgate.pipeline;

import io.micrometer.core.instrument.Counter;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.status.SessionListener;
import io.wsgate.status.SessionSummary;

/** Where a pipeline reports what its filters decided: the results meter and the finished handshakes. */
public final class FilterOutcomes {

	private final GatewayMetrics metrics;

	private final SessionListener listener;

	public FilterOutcomes(GatewayMetrics metrics, SessionListener listener) {
		this.metrics = metrics;
		this.listener = listener;
	}

	Counter counter(String pipeline, String filter, String kind, String result) {
		return metrics.filterResult(pipeline, filter, kind, result);
	}

	/** A handshake a filter refused: to the access log and the status page. */
	void refused(SessionSummary summary) {
		listener.sessionFinished(summary);
	}
}
