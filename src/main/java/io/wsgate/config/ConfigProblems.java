package io.wsgate.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems, each as {@code <key path>: <what is wrong>}. */
public final class ConfigProblems {

	private final List<String> problems = new ArrayList<>();

	public void add(String path, String message) {
		problems.add(path + ": " + message);
	}

	public boolean isEmpty() {
		return problems.isEmpty();
	}

	public List<String> list() {
		return List.copyOf(problems);
	}

	/** Throws {@link InvalidConfigException} listing every problem, if there is any. */
	public void throwIfAny() {
		if (!problems.isEmpty()) {
			throw new InvalidConfigException(list());
		}
	}
}
