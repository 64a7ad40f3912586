package io.wsgate.filter.validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.wsgate.config.ConfigValidator;
import io.wsgate.config.FilterOptions;
import io.wsgate.config.FilterSpec;
import io.wsgate.config.InvalidConfigException;
import io.wsgate.config.TestSpecs;
import io.wsgate.config.WsgateProperties;
import io.wsgate.pipeline.FilterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The Validator's options bind with CONFIG.md's key names, and bad ones stop startup naming the key. */
class ValidatorConfigTests {

	static final String FILTER = "wsgate.pipelines[0].filters[0]";

	/** 32 bytes, hex: long enough for HS256. */
	static final String SECRET = "6d7973656372657420746861742069732033322062797465732c207265616c6c";

	@TempDir
	Path dir;

	@Test
	void everyKeyOfTheContractBinds() throws IOException {
		Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
		String yaml = validator("""
				          headers:
				            X-Api-Key: {values: [k1, k2], regexp: "^ok-.+$"}
				          jwt:
				            algorithm: HS256
				            secret: %s
				            issuer: https://idp.example.com/
				            audiences: [chat]
				            cookieName: auth
				            queryParam: access_token
				            subprotocolPrefix: "bearer."
				            claimsToHeaders: {sub: X-User-Id}
				            clockSkew: 30s
				            closeOnExpiry: true
				          basicAuth: {mode: FILE, userFile: "file:%s"}
				          firstMessage: {timeout: 2s, forward: true}
				""".formatted(SECRET, htpasswd));

		assertThat(problems(yaml)).isEmpty();
		ValidatorSpec spec = spec(yaml);
		assertThat(spec.headers()).containsOnlyKeys("X-Api-Key");
		assertThat(spec.headers().get("X-Api-Key").values()).containsExactly("k1", "k2");
		assertThat(spec.headers().get("X-Api-Key").regexp()).isEqualTo("^ok-.+$");
		ValidatorSpec.JwtSpec jwt = spec.jwt();
		assertThat(jwt.algorithm()).isEqualTo("HS256");
		assertThat(jwt.issuer()).isEqualTo("https://idp.example.com/");
		assertThat(jwt.audiences()).containsExactly("chat");
		assertThat(jwt.cookieName()).isEqualTo("auth");
		assertThat(jwt.queryParam()).isEqualTo("access_token");
		assertThat(jwt.subprotocolPrefix()).isEqualTo("bearer.");
		assertThat(jwt.claimsToHeaders()).isEqualTo(Map.of("sub", "X-User-Id"));
		assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(30));
		assertThat(jwt.closeOnExpiry()).isTrue();
		assertThat(spec.basicAuth().mode()).isEqualTo("FILE");
		assertThat(spec.firstMessage().timeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(spec.firstMessage().forward()).isTrue();
	}

	@Test
	void defaultsAreTheDocumentedOnes() {
		ValidatorSpec spec = spec(validator("""
				          jwt: {algorithm: HS256, secret: %s}
				          firstMessage: {timeout: 5s}
				""".formatted(SECRET)));

		assertThat(spec.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(60));
		assertThat(spec.jwt().closeOnExpiry()).isFalse();
		assertThat(spec.jwt().queryParam()).isEmpty();
		assertThat(spec.firstMessage().forward()).isFalse();
		assertThat(TestSpecs.defaults(ValidatorSpec.FirstMessageSpec.class).timeout()).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void aValidatorWithNothingToCheckIsRejected() {
		assertThat(problems(validator(""))).containsExactly(
				FILTER + ": set headers, jwt or basicAuth: a Validator needs something to check");
	}

	@Test
	void aShortSecretIsRejectedWithoutShowingIt() {
		// Easegress's example secret ("mysecret"): 64 bits, which Nimbus refuses for HS256.
		List<String> problems = problems(validator("""
				          jwt: {algorithm: HS256, secret: 6d79736563726574}
				"""));

		assertThat(problems).containsExactly(FILTER
				+ ".jwt.secret: 64 bits is too short for HS256 (expected: at least 256 bits, 64 hex digits)");
	}

	@Test
	void aSecretThatIsNotHexIsRejectedWithoutShowingIt() {
		assertThat(problems(validator("""
				          jwt: {algorithm: HS512, secret: my-very-secret-value}
				"""))).containsExactly(FILTER + ".jwt.secret: is not hex-encoded");
	}

	@Test
	void anUnknownOrMissingAlgorithmIsRejected() {
		assertThat(problems(validator("""
				          jwt: {algorithm: none}
				"""))).containsExactly(FILTER + ".jwt.algorithm: 'none' (expected: HS256/384/512, RS256/384/512, "
				+ "PS256/384/512 or ES256/384/512)");
		assertThat(problems(validator("""
				          jwt: {secret: %s}
				""".formatted(SECRET)))).singleElement().asString().startsWith(FILTER + ".jwt.algorithm: is required");
	}

	@Test
	void aPublicKeyAlgorithmNeedsExactlyOneKeySource() {
		assertThat(problems(validator("""
				          jwt: {algorithm: RS256}
				"""))).containsExactly(FILTER + ".jwt: RS256 needs one of publicKey or jwksUri");
		assertThat(problems(validator("""
				          jwt: {algorithm: ES256, publicKey: "file:/nope.pem", jwksUri: "http://idp/jwks"}
				"""))).containsExactly(FILTER + ".jwt: ES256 needs one of publicKey or jwksUri");
		assertThat(problems(validator("""
				          jwt: {algorithm: RS256, jwksUri: "ftp://idp/jwks"}
				"""))).containsExactly(FILTER + ".jwt.jwksUri: 'ftp://idp/jwks' (expected: an http or https URL)");
		assertThat(problems(validator("""
				          jwt: {algorithm: HS256, secret: %s, jwksUri: "http://idp/jwks"}
				""".formatted(SECRET)))).containsExactly(FILTER + ".jwt: HS256 takes a secret, not publicKey or jwksUri");
	}

	@Test
	void aPublicKeyThatCannotBeReadOrIsOfTheWrongTypeIsRejected() throws Exception {
		assertThat(problems(validator("""
				          jwt: {algorithm: RS256, publicKey: "file:%s"}
				""".formatted(dir.resolve("missing.pem"))))).singleElement().asString()
			.startsWith(FILTER + ".jwt.publicKey: 'file:" + dir.resolve("missing.pem") + "' cannot be read");
		Path rsa = TestTokens.writePem(dir.resolve("rsa.pem"), TestTokens.rsaKeyPair().getPublic());
		assertThat(problems(validator("""
				          jwt: {algorithm: ES256, publicKey: "file:%s"}
				""".formatted(rsa)))).containsExactly(FILTER + ".jwt.publicKey: 'file:" + rsa + "' is not a PEM EC public key or certificate");
		assertThat(problems(validator("""
				          jwt: {algorithm: PS256, publicKey: "file:%s"}
				""".formatted(rsa)))).isEmpty();
	}

	@Test
	void badClaimHeadersHeaderRulesAndClockSkewAreRejected() {
		List<String> problems = problems(validator("""
				          headers:
				            X-Api-Key: {regexp: "(unclosed"}
				            X-Other: {regexp: ""}
				          jwt:
				            algorithm: HS256
				            secret: %s
				            claimsToHeaders: {sub: "X User", aud: Host, iss: Sec-WebSocket-Key}
				            clockSkew: -1s
				""".formatted(SECRET)));

		assertThat(problems).containsExactlyInAnyOrder(
				FILTER + ".headers.X-Api-Key.regexp: invalid regular expression: Unclosed group",
				FILTER + ".headers.X-Other: set values or regexp",
				FILTER + ".jwt.claimsToHeaders.sub: 'X User' is not a header name",
				FILTER + ".jwt.claimsToHeaders.aud: 'Host' is a hop-by-hop or handshake header, which the gateway writes itself",
				FILTER + ".jwt.claimsToHeaders.iss: 'Sec-WebSocket-Key' is a hop-by-hop or handshake header, "
						+ "which the gateway writes itself",
				FILTER + ".jwt.clockSkew: must not be negative");
	}

	@Test
	void basicAuthNeedsAReadableFileAndTheFileMode() {
		assertThat(problems(validator("""
				          basicAuth: {mode: LDAP, userFile: "file:%s"}
				""".formatted(dir.resolve("none"))))).containsExactly(
				FILTER + ".basicAuth.mode: 'LDAP' (expected: FILE)",
				FILTER + ".basicAuth.userFile: 'file:" + dir.resolve("none") + "' cannot be read as a file (NoSuchFileException)");
		assertThat(problems(validator("""
				          basicAuth: {mode: FILE}
				"""))).containsExactly(FILTER + ".basicAuth.userFile: is required");
	}

	@Test
	void firstMessageNeedsJwtAndAPositiveTimeout() {
		assertThat(problems(validator("""
				          headers: {X-A: {values: [a]}}
				          firstMessage: {timeout: 0s}
				"""))).containsExactly(
				FILTER + ".firstMessage: needs jwt: the first message is a JWT checked as jwt says",
				FILTER + ".firstMessage.timeout: must be positive");
	}

	@Test
	void aMisspeltKeyIsRejected() {
		assertThat(problems(validator("""
				          jwt: {algorithm: HS256, secret: %s, claimToHeaders: {sub: X-User-Id}}
				""".formatted(SECRET)))).containsExactly(FILTER + ".jwt.claimToHeaders: "
				+ "unknown key (check its spelling against the documented keys)");
	}

	/** A pipeline whose one filter is a Validator with these option lines. */
	static String validator(String options) {
		return """
				wsgate:
				  pipelines:
				    - name: p
				      filters:
				        - kind: Validator
				          name: auth
				""" + options;
	}

	static ValidatorSpec spec(String yaml) {
		return FilterOptions.bind(new Binder(TestSpecs.sources(yaml)), FilterSpec.path(0, 0), ValidatorSpec.class);
	}

	static List<String> problems(String yaml) {
		List<ConfigurationPropertySource> sources = TestSpecs.sources(yaml);
		WsgateProperties properties = new Binder(sources).bind("wsgate", WsgateProperties.class).get();
		try {
			new ConfigValidator(new FilterRegistry(List.of(new ValidatorKind()))).validate(properties, sources);
			return List.of();
		}
		catch (InvalidConfigException ex) {
			return ex.problems();
		}
	}
}
