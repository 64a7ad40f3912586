package io.wsgate.filter.validator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code Authorization: Basic} against an htpasswd file. The file check and the hash (bcrypt costs
 * milliseconds) run on the bounded-elastic scheduler, never on the event loop.
 */
final class BasicAuthCheck {

	private static final String BASIC = "basic ";

	private final HtpasswdFile file;

	BasicAuthCheck(HtpasswdFile file) {
		this.file = file;
	}

	/** Completes empty when the credentials are valid, else with the reason (never the password). */
	Mono<String> check(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
			return Mono.just("missing credentials");
		}
		String credentials;
		try {
			credentials = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
					StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return Mono.just("malformed credentials");
		}
		int colon = credentials.indexOf(':');
		if (colon < 0) {
			return Mono.just("malformed credentials");
		}
		String user = credentials.substring(0, colon);
		String password = credentials.substring(colon + 1);
		return Mono.fromCallable(() -> {
			String hash = file.users().get(user);
			if (hash == null) {
				return "unknown user";
			}
			return PasswordHashes.matches(password, hash) ? "" : "wrong password";
		}).subscribeOn(Schedulers.boundedElastic()).filter(reason -> !reason.isEmpty());
	}
}
