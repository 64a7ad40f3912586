package io.wsgate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/** What the fault tests share: reading raw answers, the sessions gauge, captured log between markers. */
final class Faults {

	static final String ACTIVE = "wsgate.sessions.active";

	private Faults() {
	}

	/** The active-sessions gauge of the server on this port. */
	static double active(MeterRegistry registry, int serverPort) {
		String server = ":" + serverPort;
		return registry.find(ACTIVE).gauges().stream()
			.filter(gauge -> gauge.getId().getTag("server") != null && gauge.getId().getTag("server").endsWith(server))
			.mapToDouble(Gauge::value)
			.sum();
	}

	static long millisSince(long nanos) {
		return (System.nanoTime() - nanos) / 1_000_000;
	}

	/** Reads a response head (bounded); the part before the blank line, or what came before EOF/timeout. */
	static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		try {
			int b;
			while (head.size() < 16_384 && (b = in.read()) != -1) {
				head.write(b);
				String text = head.toString(StandardCharsets.ISO_8859_1);
				if (text.endsWith("\r\n\r\n")) {
					return text;
				}
			}
		}
		catch (SocketTimeoutException ex) {
			// what came so far
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	static String statusOf(String head) {
		int firstLine = head.indexOf("\r\n");
		String line = (firstLine > 0) ? head.substring(0, firstLine) : head;
		String[] parts = line.split(" ");
		return (parts.length > 1) ? "HTTP " + parts[1] : "'" + line + "'";
	}

	static byte[] latin1(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	/**
	 * The captured output between two marker lines. The extension stacks one capture per class and one
	 * per test, which can repeat lines; the last occurrences delimit one copy.
	 */
	static String between(String output, String startMarker, String endMarker) {
		int end = output.lastIndexOf(endMarker);
		int start = output.lastIndexOf(startMarker, end);
		assertThat(start).as("start marker captured").isNotNegative();
		return output.substring(start, end);
	}
}
