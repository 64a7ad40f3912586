package io.wsgate.config.easegress;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/** Go's duration syntax, as Easegress writes durations: {@code 60s}, {@code 1m30s}, {@code 1.5h}, {@code 300ms}. */
final class GoDuration {

	private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)");

	private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms",
			1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

	private GoDuration() {
	}

	/** The duration {@code text} says (null: it is no Go duration). */
	static @Nullable Duration parse(String text) {
		String value = text.strip();
		boolean negative = value.startsWith("-");
		if (negative || value.startsWith("+")) {
			value = value.substring(1);
		}
		if (value.equals("0")) {
			return Duration.ZERO;
		}
		Matcher part = PART.matcher(value);
		BigDecimal nanos = BigDecimal.ZERO;
		int end = 0;
		while (part.lookingAt()) {
			nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(Objects.requireNonNull(NANOS.get(part.group(2))))));
			end = part.end();
			part.region(end, value.length());
		}
		if (end == 0 || end != value.length()) {
			return null;
		}
		Duration duration = Duration.ofNanos(nanos.longValue());
		return negative ? duration.negated() : duration;
	}
}
