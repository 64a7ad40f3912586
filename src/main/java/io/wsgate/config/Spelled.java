package io.wsgate.config;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A constant of a config key's fixed set of values, with the spelling users write in YAML.
 * <p>
 * The spec records keep the text as written and give the constant from a {@code parsedX()} accessor:
 * a bad value is then one problem among the others of {@link ConfigValidator}, quoted as written under
 * the key path as written (a binding failure would stop at the first one and name the key in its
 * dashed form), and no spelling is accepted that was not before.
 */
public interface Spelled {

	/** The value as users write it; matched case-insensitively. */
	String spelling();

	/** The constant of {@code type} spelled {@code text}, case-insensitive (null: none). */
	static <E extends Enum<E> & Spelled> @Nullable E parse(Class<E> type, @Nullable String text) {
		if (text == null) {
			return null;
		}
		for (E constant : type.getEnumConstants()) {
			if (constant.spelling().equalsIgnoreCase(text)) {
				return constant;
			}
		}
		return null;
	}

	/**
	 * The constant of {@code type} spelled exactly {@code text} (null: none), for the keys that have
	 * always been case-sensitive.
	 */
	static <E extends Enum<E> & Spelled> @Nullable E parseExact(Class<E> type, String text) {
		for (E constant : type.getEnumConstants()) {
			if (constant.spelling().equals(text)) {
				return constant;
			}
		}
		return null;
	}

	/** The spellings of {@code type}'s constants, in declaration order, for problems and docs. */
	static <E extends Enum<E> & Spelled> List<String> spellings(Class<E> type) {
		return Arrays.stream(type.getEnumConstants()).map(Spelled::spelling).toList();
	}
}
