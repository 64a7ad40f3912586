package io.wsgate.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.wsgate.metrics.WsgateMeters.TagKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The meter catalogue names every value its tags take, and docs/observability.md lists it as it is. */
class WsgateMetersTests {

	private static final Path OBSERVABILITY = Path.of("docs", "observability.md");

	@Test
	void theSessionsCounterDescribesEveryHandshakeOutcome() {
		assertThat(WsgateMeters.SESSIONS.description()).endsWith(
				"by outcome: upgraded, rejected, over_limit, backend_refused, backend_unavailable, backend_unreachable, first_message_rejected");
	}

	@Test
	void outcomeTagsAreLowerSnakeCase() {
		assertThat(HandshakeOutcome.OVER_LIMIT.tag()).isEqualTo("over_limit");
		assertThat(HandshakeOutcome.UPGRADED.tag()).isEqualTo("upgraded");
	}

	@Test
	void boundedTagsHaveTheValuesPrometheusHasAlwaysSeen() {
		assertThat(WsgateMeters.MESSAGES.tagValues()).containsEntry(TagKey.DIRECTION, List.of("upstream", "downstream"))
			.containsEntry(TagKey.TYPE, List.of("text", "binary"));
		assertThat(WsgateMeters.CLOSES.tagValues()).containsEntry(TagKey.INITIATOR, List.of("client", "backend", "gateway"));
		assertThat(WsgateMeters.BACKEND_ERRORS.tagValues())
			.containsEntry(TagKey.REASON, List.of("connect", "timeout", "handshake", "protocol"));
		assertThat(WsgateMeters.CONFIG_RELOADS.tagValues()).containsEntry(TagKey.OUTCOME, List.of("applied", "rejected"));
		assertThat(WsgateMeters.HANDSHAKE_DURATION.tagKeyNames()).containsExactly("http.server", "pipeline", "pool");
	}

	@Test
	void everyBoundedTagIsOneOfTheMetersTags() {
		for (WsgateMeters meter : WsgateMeters.values()) {
			assertThat(meter.tagKeys()).as(meter.meterName()).containsAll(meter.tagValues().keySet());
		}
	}

	@Test
	void observabilityDocListsEveryMeterWithItsTypeTagsAndValues() throws IOException {
		Map<String, List<String>> rows = meterRows();
		assertThat(rows.keySet()).containsExactlyInAnyOrder(
				Arrays.stream(WsgateMeters.values()).map(WsgateMeters::meterName).toArray(String[]::new));
		for (WsgateMeters meter : WsgateMeters.values()) {
			List<String> cells = rows.get(meter.meterName());
			assertThat(cells.get(1)).as(meter.meterName()).startsWith(meter.getType().name().toLowerCase(Locale.ROOT));
			List<String> keys = Arrays.stream(cells.get(2).replaceAll("\\([^)]*\\)", "").split(","))
				.map(String::strip)
				.toList();
			assertThat(keys).as(meter.meterName()).containsExactlyElementsOf(meter.tagKeyNames());
			meter.tagValues().forEach((key, values) -> values.forEach(value -> assertThat(documentedValue(rows, key, value))
				.as(meter.meterName() + " " + key.asString() + "=" + value)
				.isTrue()));
		}
	}

	/** Whether a row of a meter with tag {@code key} names {@code value} (a value is documented once per key). */
	private static boolean documentedValue(Map<String, List<String>> rows, TagKey key, String value) {
		return Arrays.stream(WsgateMeters.values())
			.filter(meter -> meter.tagKeys().contains(key))
			.map(meter -> String.join("|", rows.get(meter.meterName())))
			.anyMatch(row -> row.matches("(?s).*\\b" + value + "\\b.*"));
	}

	/** The rows of the meter table: name to its cells (name, type, tags, description). */
	private static Map<String, List<String>> meterRows() throws IOException {
		Map<String, List<String>> rows = new LinkedHashMap<>();
		for (String line : Files.readAllLines(OBSERVABILITY)) {
			// The meters' table; the configuration keys' table below has rows starting alike.
			if (line.startsWith("| `wsgate.")) {
				List<String> cells = new ArrayList<>();
				for (String cell : line.substring(1).split("\\|")) {
					cells.add(cell.strip());
				}
				if (cells.get(1).matches("(counter|gauge|timer)\\b.*")) {
					rows.put(cells.get(0).replace("`", ""), cells);
				}
			}
		}
		return rows;
	}
}
