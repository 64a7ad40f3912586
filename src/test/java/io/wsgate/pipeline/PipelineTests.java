package io.wsgate.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.wsgate.config.FilterSpec;
import io.wsgate.config.PipelineSpec;
import io.wsgate.config.PipelineSpec.FlowNodeSpec;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.request.RequestInfo;
import io.wsgate.status.SessionSummary;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Flow order and jumpIf, with a test filter kind whose filters record their run and return their name's result. */
class PipelineTests {

	private final List<String> ran = new ArrayList<>();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<SessionSummary> finished = new ArrayList<>();

	private final FilterOutcomes outcomes = new FilterOutcomes(new GatewayMetrics(registry), finished::add);

	/** Filters named like "b=clientError" record their run and return the result after '='. */
	private Filter recording(String filterName) {
		String[] nameAndResult = filterName.split("=");
		return context -> {
			ran.add(nameAndResult[0]);
			if (nameAndResult[0].equals("respond")) {
				return context.respond(200, "ok").thenReturn(Filter.CONTINUE);
			}
			if (nameAndResult[0].equals("deny")) {
				return context.refuse(new Refusal(401, "a token is needed", "no token",
						Map.of("WWW-Authenticate", "Bearer realm=\"chat\"")), "invalid");
			}
			return Mono.just(nameAndResult.length > 1 ? nameAndResult[1] : Filter.CONTINUE);
		};
	}

	private MockServerHttpResponse run(List<String> filterNames, List<FlowNodeSpec> flow) {
		List<FilterSpec> filters = filterNames.stream().map(n -> new FilterSpec("Recording", n)).toList();
		Map<String, Filter> byName = new HashMap<>();
		filterNames.forEach(n -> byName.put(n, recording(n)));
		Pipeline pipeline = new Pipeline(new PipelineSpec("p", flow, filters, null), byName, outcomes);
		MockServerHttpRequest request = MockServerHttpRequest.get("/ws").build();
		MockServerHttpResponse response = new MockServerHttpResponse();
		pipeline.run(new FilterContext(request, response, RequestInfo.of("GET", "gw", "/ws", new HttpHeaders(), "127.0.0.1"),
				"edge", "p", false, Observation.NOOP)).block(Duration.ofSeconds(5));
		return response;
	}

	@Test
	void withoutFlowFiltersRunInDeclarationOrder() {
		run(List.of("a", "b", "respond"), List.of());
		assertThat(ran).containsExactly("a", "b", "respond");
	}

	@Test
	void flowSetsTheOrder() {
		run(List.of("a", "b", "respond"),
				List.of(new FlowNodeSpec("b", null), new FlowNodeSpec("a", null), new FlowNodeSpec("respond", null)));
		assertThat(ran).containsExactly("b", "a", "respond");
	}

	@Test
	void jumpIfSkipsToTheTargetForThatResult() {
		run(List.of("a=clientError", "b", "respond"), List.of(new FlowNodeSpec("a=clientError", Map.of("clientError", "respond")),
				new FlowNodeSpec("b", null), new FlowNodeSpec("respond", null)));
		assertThat(ran).containsExactly("a", "respond");
	}

	@Test
	void resultWithoutJumpEndsThePipelineAndAnUnansweredRequestGets500() {
		MockServerHttpResponse response = run(List.of("a=serverError", "respond"), List.of());
		assertThat(ran).containsExactly("a");
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
		assertThat(response.getBodyAsString().block(Duration.ofSeconds(5))).isEqualTo("the pipeline produced no response\n");
	}

	@Test
	void jumpToEndStopsTheFlow() {
		run(List.of("a=clientError", "respond"),
				List.of(new FlowNodeSpec("a=clientError", Map.of("clientError", "END")), new FlowNodeSpec("respond", null)));
		assertThat(ran).containsExactly("a");
	}

	@Test
	void answeredRequestIsNotOverwritten() {
		MockServerHttpResponse response = run(List.of("respond", "b"), List.of());
		assertThat(ran).containsExactly("respond", "b");
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void aRefusalIsAnsweredWhenTheFlowEndsOnItsResult() {
		MockServerHttpResponse response = run(List.of("deny=invalid", "respond"), List.of());
		assertThat(ran).containsExactly("deny");
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(response.getHeaders().getFirst("WWW-Authenticate")).isEqualTo("Bearer realm=\"chat\"");
		assertThat(response.getBodyAsString().block(Duration.ofSeconds(5))).isEqualTo("a token is needed\n");
		assertThat(finished).singleElement().satisfies(summary -> {
			assertThat(summary.status()).isEqualTo(401);
			assertThat(summary.outcome()).isEqualTo("invalid");
			assertThat(summary.filter()).isEqualTo("deny=invalid");
			assertThat(summary.reason()).isEqualTo("no token");
			assertThat(summary.pipeline()).isEqualTo("p");
		});
		assertThat(registry.get("wsgate.filter.results").tags("filter", "deny=invalid", "result", "invalid", "kind", "Recording")
			.counter().count()).isEqualTo(1);
	}

	@Test
	void aRefusalWhoseResultJumpsOnIsNotAnswered() {
		MockServerHttpResponse response = run(List.of("deny=invalid", "b", "respond"),
				List.of(new FlowNodeSpec("deny=invalid", Map.of("invalid", "respond")), new FlowNodeSpec("b", null),
						new FlowNodeSpec("respond", null)));
		assertThat(ran).containsExactly("deny", "respond");
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(finished).isEmpty();
		assertThat(registry.get("wsgate.filter.results").tags("filter", "respond", "result", "continue").counter().count())
			.isEqualTo(1);
	}

	@Test
	void aRefusalWhoseResultJumpsToEndIsAnswered() {
		MockServerHttpResponse response = run(List.of("deny=invalid", "respond"),
				List.of(new FlowNodeSpec("deny=invalid", Map.of("invalid", "END")), new FlowNodeSpec("respond", null)));
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
	}
}
