package io.wsgate.filter.validator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/** Basic credentials: parsed on the caller's thread, checked against the file off it. */
class BasicAuthCheckTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path dir;

	@Test
	void theFileAndTheHashAreCheckedOnTheBoundedElasticScheduler() throws Exception {
		BasicAuthCheck check = check("alice:" + new BCryptPasswordEncoder(4).encode("pw"));
		AtomicReference<String> thread = new AtomicReference<>();

		StepVerifier.create(check.check(basic("alice:pw")).doOnTerminate(() -> thread.set(Thread.currentThread().getName())))
			.expectComplete()
			.verify(WAIT);

		assertThat(thread.get()).startsWith("boundedElastic");
	}

	@Test
	void wrongMissingAndMalformedCredentialsAreRefusedWithAReasonThatHoldsNoPassword() throws Exception {
		BasicAuthCheck check = check(HtpasswdFileTests.SHA_LINE);

		StepVerifier.create(check.check(basic("sha:secret-guess"))).expectNext("wrong password").expectComplete().verify(WAIT);
		StepVerifier.create(check.check(basic("bob:password"))).expectNext("unknown user").expectComplete().verify(WAIT);
		StepVerifier.create(check.check(null)).expectNext("missing credentials").expectComplete().verify(WAIT);
		StepVerifier.create(check.check("Bearer x")).expectNext("missing credentials").expectComplete().verify(WAIT);
		StepVerifier.create(check.check("Basic !!!")).expectNext("malformed credentials").expectComplete().verify(WAIT);
		StepVerifier.create(check.check(basic("no-colon"))).expectNext("malformed credentials").expectComplete().verify(WAIT);
		StepVerifier.create(check.check(basic("sha:password"))).expectComplete().verify(WAIT);
	}

	private BasicAuthCheck check(String line) throws Exception {
		return new BasicAuthCheck(new HtpasswdFile(Files.writeString(dir.resolve("htpasswd"), line + "\n"), Duration.ofSeconds(1)));
	}

	private static String basic(String credentials) {
		return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
	}
}
