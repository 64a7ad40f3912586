package io.wsgate.status;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import io.wsgate.config.AccessLogSpec.Format;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One line per finished session on the logger {@code wsgate.access}, as key=value pairs or JSON.
 * Never contains header values or query strings (tokens often travel there).
 */
public final class AccessLog implements SessionListener {

	private static final Log logger = LogFactory.getLog("wsgate.access");

	private final boolean json;

	/** @param format {@code kv} (default) or {@code json} */
	public AccessLog(Format format) {
		this.json = (format == Format.JSON);
	}

	@Override
	public void sessionFinished(SessionSummary s) {
		if (logger.isInfoEnabled()) {
			logger.info(format(s));
		}
	}

	String format(SessionSummary s) {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("time", s.start().toString());
		fields.put("client", s.clientAddress());
		fields.put("host", s.host());
		fields.put("path", s.path());
		fields.put("httpServer", s.httpServer());
		fields.put("pipeline", s.pipeline());
		fields.put("pool", s.pool());
		fields.put("server", s.server());
		fields.put("subprotocol", s.subprotocol());
		fields.put("status", s.status());
		fields.put("outcome", s.outcome());
		fields.put("durationMs", s.duration().toMillis());
		fields.put("messagesUp", s.messagesUp());
		fields.put("bytesUp", s.bytesUp());
		fields.put("messagesDown", s.messagesDown());
		fields.put("bytesDown", s.bytesDown());
		fields.put("closeCode", s.closeCode());
		fields.put("closedBy", s.closedBy());
		fields.put("filter", s.filter());
		fields.put("reason", s.reason());
		StringJoiner line = json ? new StringJoiner(",", "{", "}") : new StringJoiner(" ");
		fields.forEach((key, value) -> {
			if (json) {
				line.add('"' + key + "\":" + (value instanceof String text ? quote(text) : value));
			}
			else {
				line.add(key + '=' + (value instanceof String text ? kvValue(text) : value));
			}
		});
		return line.toString();
	}

	private static String kvValue(String text) {
		if (text.isEmpty()) {
			return "-";
		}
		boolean plain = text.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c < 127);
		return plain ? text : quote(text);
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				case '\r' -> quoted.append("\\r");
				case '\t' -> quoted.append("\\t");
				default -> {
					if (c < ' ') {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}
}
