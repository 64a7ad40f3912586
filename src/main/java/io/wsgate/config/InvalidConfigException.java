package io.wsgate.config;

import java.util.List;

/** The gateway configuration has problems; startup stops and each is printed on its own line. */
public class InvalidConfigException extends RuntimeException {

	private final List<String> problems;

	public InvalidConfigException(List<String> problems) {
		super("Invalid wsgate configuration:\n  " + String.join("\n  ", problems));
		this.problems = List.copyOf(problems);
	}

	public List<String> problems() {
		return problems;
	}
}
