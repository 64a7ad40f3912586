package io.wsgate.status;

import java.time.Duration;
import java.time.Instant;

import io.wsgate.config.AccessLogSpec.Format;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTests {

	private static final SessionSummary SESSION = new SessionSummary(Instant.parse("2026-11-25T10:00:00Z"), "10.1.2.3",
			"chat.example.com", "/room/\"7\"", "edge", "chat", "websocketproxy#p#main", "ws://10.0.0.1:9000", "", 101,
			"upgraded", Duration.ofMillis(1500), 3, 30, 4, 40, 1000, "client", "", "");

	@Test
	void keyValueLinesQuoteOnlyWhatNeedsIt() {
		assertThat(new AccessLog(Format.KV).format(SESSION)).isEqualTo("time=2026-11-25T10:00:00Z client=10.1.2.3 "
				+ "host=chat.example.com path=\"/room/\\\"7\\\"\" httpServer=edge pipeline=chat pool=websocketproxy#p#main "
				+ "server=ws://10.0.0.1:9000 subprotocol=- status=101 outcome=upgraded durationMs=1500 messagesUp=3 "
				+ "bytesUp=30 messagesDown=4 bytesDown=40 closeCode=1000 closedBy=client filter=- reason=-");
	}

	@Test
	void jsonLinesAreOneObject() {
		assertThat(new AccessLog(Format.JSON).format(SESSION)).isEqualTo("{\"time\":\"2026-11-25T10:00:00Z\",\"client\":\"10.1.2.3\","
				+ "\"host\":\"chat.example.com\",\"path\":\"/room/\\\"7\\\"\",\"httpServer\":\"edge\",\"pipeline\":\"chat\","
				+ "\"pool\":\"websocketproxy#p#main\",\"server\":\"ws://10.0.0.1:9000\",\"subprotocol\":\"\",\"status\":101,"
				+ "\"outcome\":\"upgraded\",\"durationMs\":1500,\"messagesUp\":3,\"bytesUp\":30,\"messagesDown\":4,"
				+ "\"bytesDown\":40,\"closeCode\":1000,\"closedBy\":\"client\",\"filter\":\"\",\"reason\":\"\"}");
	}
}
