package wsgate.testkinds;

import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

import io.wsgate.config.ConfigProblems;
import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;
import io.wsgate.pipeline.SessionGuards;
import io.wsgate.pipeline.SessionGuards.FirstMessageCheck;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A filter kind for tests only, {@code FirstMessageToken}: it asks the proxy for a first-message check
 * that accepts the text {@code let-me-in} or {@code {"token":"let-me-in"}} and then sets the identity
 * header {@code X-User-Id: alice}; a message starting with {@code explode} makes it fail with an
 * error; anything else is refused with "invalid token". Outside
 * {@code io.wsgate}, so the application's component scan never finds it: a test gateway adds it with
 * {@code spring.main.sources=wsgate.testkinds.FirstMessageTokenKind}.
 */
@Configuration(proxyBeanMethods = false)
public class FirstMessageTokenKind {

	public static final String NAME = "FirstMessageToken";

	public static final String TOKEN = "let-me-in";

	/** A message starting so makes the check fail with an error (which names the message) instead of answering. */
	public static final String FAILING = "explode";

	private static final Pattern JSON_TOKEN = Pattern.compile("\\{\\s*\"token\"\\s*:\\s*\"" + TOKEN + "\"\\s*}");

	@Bean
	FilterKind<Spec> firstMessageToken() {
		return new FilterKind<>() {

			@Override
			public String name() {
				return NAME;
			}

			@Override
			public Set<String> results() {
				return Set.of();
			}

			@Override
			public Class<Spec> specType() {
				return Spec.class;
			}

			@Override
			public void validate(Spec spec, String path, ConfigProblems problems) {
			}

			@Override
			public Filter create(Spec spec, String filterName, String pipelineName) {
				Check check = new Check(spec.timeout(), spec.forward());
				return context -> {
					context.sessionGuards().checkFirstMessage(check);
					return Mono.just(Filter.CONTINUE);
				};
			}
		};
	}

	/**
	 * @param timeout the time the client has (default 5s)
	 * @param forward whether the first message goes to the backend too
	 */
	public record Spec(Duration timeout, Boolean forward) {

		public Spec {
			timeout = (timeout != null) ? timeout : Duration.ofSeconds(5);
			forward = Boolean.TRUE.equals(forward);
		}
	}

	record Check(Duration timeout, boolean forward) implements FirstMessageCheck {

		@Override
		public Mono<String> check(String message, BackendRequest backend, SessionGuards session) {
			String text = message.trim();
			if (text.startsWith(FAILING)) {
				return Mono.error(new IllegalStateException("check failed on " + text));
			}
			if (text.equals(TOKEN) || JSON_TOKEN.matcher(text).matches()) {
				backend.setIdentityHeader("X-User-Id", "alice");
				return Mono.empty();
			}
			return Mono.just("invalid token");
		}
	}
}
