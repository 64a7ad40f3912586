package io.wsgate.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A value of a bounded tag of the meter catalogue, as Prometheus shows it. */
public interface TagValue {

	/** The value as tags and logs show it: the constant's name in lower case, e.g. {@code backend_refused}. */
	default String tag() {
		return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
	}

	/** Every value of {@code type}, in declaration order. */
	static <E extends Enum<E> & TagValue> List<String> tags(Class<E> type) {
		return Arrays.stream(type.getEnumConstants()).map(TagValue::tag).toList();
	}
}
