package io.wsgate.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects configuration problems, each as {@code <key path>: <what is wrong>}. */
public final class ConfigProblems {

	private final List<String> problems = new ArrayList<>();

	private final Map<String, String> labels = new HashMap<>();

	public void add(String path, String message) {
		problems.add(display(path) + ": " + message);
	}

	/** Adds a problem found elsewhere, already written as {@code <key path>: <what is wrong>}. */
	public void addLine(String problem) {
		problems.add(problem);
	}

	/**
	 * Key paths under {@code path} are shown as {@code <label>: <rest of the key>} (the key at
	 * {@code path} itself as the label): for objects defined in other files than {@code wsgate.*}.
	 */
	public void label(String path, String label) {
		labels.put(path, label);
	}

	private String display(String path) {
		for (Map.Entry<String, String> label : labels.entrySet()) {
			String prefix = label.getKey();
			if (path.equals(prefix)) {
				return label.getValue();
			}
			if (path.startsWith(prefix) && (path.charAt(prefix.length()) == '.' || path.charAt(prefix.length()) == '[')) {
				String rest = path.substring(prefix.length());
				return label.getValue() + ": " + (rest.startsWith(".") ? rest.substring(1) : rest);
			}
		}
		return path;
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
