package io.wsgate.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.wsgate.config.easegress.EasegressSeed;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seed's Easegress objects, kind line included, pasted under wsgate.pipelines[] and wsgate.http-servers[]. */
class EasegressSpecIntegrationTests {

	/** The seed's objects (shared/seed/2.6.Websocket.md), verbatim. */
	private static final String SEED_PIPELINE = EasegressSeed.PIPELINE;

	private static final String SEED_HTTP_SERVER = EasegressSeed.HTTP_SERVER;

	@Test
	void theSeedObjectsPastedWithTheirKindLinesStartAndEcho() throws Exception {
		List<TestBackend> backends = new ArrayList<>();
		try {
			String pipeline = SEED_PIPELINE;
			for (String port : List.of("12345", "9095", "9096", "9097")) {
				TestBackend backend = new TestBackend();
				backends.add(backend);
				pipeline = pipeline.replace("ws://127.0.0.1:" + port, backend.url());
			}
			String yaml = "wsgate:\n  pipelines:\n" + listItem(pipeline) + "  http-servers:\n"
					+ listItem(SEED_HTTP_SERVER.replace("port: 8080", "port: 0"));
			try (Gateway gateway = Gateway.start(yaml); TestClient client = TestClient.connect(gateway.wsUrl("demo-server", "/ws"))) {
				client.sendText("pasted from Easegress");
				assertThat(client.nextText()).isEqualTo("pasted from Easegress");
			}
		}
		finally {
			backends.forEach(TestBackend::close);
		}
	}

	@Test
	void aKindLineNamingAnotherObjectStopsStartupNamingTheKeyAndTheExpectedKind() {
		String yaml = "wsgate:\n  pipelines:\n" + listItem(SEED_PIPELINE.replace("kind: Pipeline", "kind: Pipline"))
				+ "  http-servers:\n" + listItem(SEED_HTTP_SERVER.replace("kind: HTTPServer", "kind: Pipeline")
					.replace("port: 8080", "port: 0"));
		assertThatThrownBy(() -> Gateway.start(yaml, Map.of()).close())
			.hasStackTraceContaining("wsgate.pipelines[0].kind: 'Pipline' (expected: Pipeline, or no kind)")
			.hasStackTraceContaining("wsgate.http-servers[0].kind: 'Pipeline' (expected: HTTPServer, or no kind)");
	}

	/** An object's YAML as an item of a list at indentation 4, as a user pastes it. */
	private static String listItem(String object) {
		return "    - " + object.indent(6).substring(6);
	}
}
