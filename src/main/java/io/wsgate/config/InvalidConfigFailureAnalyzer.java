package io.wsgate.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints configuration problems as a plain list instead of a stack trace. */
class InvalidConfigFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigException cause) {
		return new FailureAnalysis("The wsgate configuration is invalid:\n  " + String.join("\n  ", cause.problems()),
				"Fix the keys listed above in application.yml (or the matching environment variables).", cause);
	}
}
