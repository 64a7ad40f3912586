package io.wsgate.filter.validator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

import io.wsgate.config.ConfigProblems;
import io.wsgate.filter.validator.ValidatorSpec.BasicAuthSpec;
import io.wsgate.filter.validator.ValidatorSpec.HeaderRuleSpec;
import io.wsgate.filter.validator.ValidatorSpec.JwtSpec;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterKind;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.DefaultResourceLoader;

/** The {@code Validator} filter kind: validation of its options and creation of its filters. */
public final class ValidatorKind implements FilterKind<ValidatorSpec> {

	public static final String NAME = "Validator";

	/** How often, at most, an htpasswd file's modification time is looked at. */
	static final Duration USER_FILE_CHECK = Duration.ofSeconds(1);

	/** Hop-by-hop headers (RFC 9110 7.6.1) and those of the handshake: no claim can be one. */
	private static final Set<String> MANAGED_HEADERS = Set.of("connection", "keep-alive", "proxy-connection", "te",
			"trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "content-length",
			"host");

	/** A token name, as RFC 9110 allows for a header name. */
	private static final String HEADER_NAME = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Set<String> results() {
		return ValidatorFilter.RESULTS;
	}

	@Override
	public Class<ValidatorSpec> specType() {
		return ValidatorSpec.class;
	}

	@Override
	public Filter create(ValidatorSpec spec, String filterName, String pipelineName) {
		HeaderCheck headers = spec.headers().isEmpty() ? null : new HeaderCheck(spec.headers());
		BasicAuthCheck basicAuth = null;
		if (spec.basicAuth() != null) {
			try {
				basicAuth = new BasicAuthCheck(new HtpasswdFile(userFile(spec.basicAuth()), USER_FILE_CHECK));
			}
			catch (IOException ex) {
				throw new IllegalStateException("basicAuth.userFile of " + filterName + " cannot be read", ex);
			}
		}
		JwtCheck jwt = (spec.jwt() != null) ? new JwtCheck(spec.jwt()) : null;
		FirstMessageTokenCheck firstMessage = (spec.firstMessage() != null)
				? new FirstMessageTokenCheck(spec.firstMessage().timeout(), spec.firstMessage().forward(),
						Objects.requireNonNull(jwt, "firstMessage without jwt")) : null;
		return new ValidatorFilter(headers, basicAuth, jwt, firstMessage);
	}

	@Override
	public void validate(ValidatorSpec spec, String path, ConfigProblems problems) {
		if (spec.headers().isEmpty() && spec.jwt() == null && spec.basicAuth() == null) {
			problems.add(path, "set headers, jwt or basicAuth: a Validator needs something to check");
		}
		spec.headers().forEach((name, rule) -> validateHeader(name, rule, path + ".headers." + name, problems));
		if (spec.jwt() != null) {
			validateJwt(spec.jwt(), path + ".jwt", problems);
		}
		if (spec.basicAuth() != null) {
			validateBasicAuth(spec.basicAuth(), path + ".basicAuth", problems);
		}
		if (spec.firstMessage() != null) {
			if (spec.jwt() == null) {
				problems.add(path + ".firstMessage", "needs jwt: the first message is a JWT checked as jwt says");
			}
			if (spec.firstMessage().timeout().isNegative() || spec.firstMessage().timeout().isZero()) {
				problems.add(path + ".firstMessage.timeout", "must be positive");
			}
		}
	}

	private static void validateHeader(String name, HeaderRuleSpec rule, String path, ConfigProblems problems) {
		if (!name.matches(HEADER_NAME)) {
			problems.add(path, "'" + name + "' is not a header name");
		}
		if (rule == null || (rule.values().isEmpty() && rule.regexp().isEmpty())) {
			problems.add(path, "set values or regexp");
			return;
		}
		try {
			java.util.regex.Pattern.compile(rule.regexp());
		}
		catch (PatternSyntaxException ex) {
			problems.add(path + ".regexp", "invalid regular expression: " + ex.getDescription());
		}
	}

	private static void validateJwt(JwtSpec jwt, String path, ConfigProblems problems) {
		String algorithm = jwt.algorithm().toUpperCase(Locale.ROOT);
		if (TokenDecoders.HMAC.contains(algorithm)) {
			validateSecret(jwt, algorithm, path, problems);
		}
		else if (TokenDecoders.ASYMMETRIC.contains(algorithm)) {
			validateKeySource(jwt, algorithm, path, problems);
		}
		else {
			problems.add(path + ".algorithm", (jwt.algorithm().isEmpty() ? "is required" : "'" + jwt.algorithm() + "'")
					+ " (expected: HS256/384/512, RS256/384/512, PS256/384/512 or ES256/384/512)");
		}
		if (jwt.clockSkew().isNegative()) {
			problems.add(path + ".clockSkew", "must not be negative");
		}
		jwt.claimsToHeaders().forEach((claim, header) -> {
			if (header == null || !header.matches(HEADER_NAME)) {
				problems.add(path + ".claimsToHeaders." + claim, "'" + header + "' is not a header name");
			}
			else if (MANAGED_HEADERS.contains(header.toLowerCase(Locale.ROOT))
					|| header.toLowerCase(Locale.ROOT).startsWith("sec-websocket-")) {
				problems.add(path + ".claimsToHeaders." + claim, "'" + header
						+ "' is a hop-by-hop or handshake header, which the gateway writes itself");
			}
		});
		if (!jwt.issuer().isEmpty() && jwt.issuer().isBlank()) {
			problems.add(path + ".issuer", "must not be blank");
		}
	}

	/** The secret is hex (as Easegress has it) and as long as the hash, as RFC 7518 requires (Nimbus too). */
	private static void validateSecret(JwtSpec jwt, String algorithm, String path, ConfigProblems problems) {
		if (!jwt.publicKey().isEmpty() || !jwt.jwksUri().isEmpty()) {
			problems.add(path, algorithm + " takes a secret, not publicKey or jwksUri");
		}
		if (jwt.secret().isEmpty()) {
			problems.add(path + ".secret", "is required by " + algorithm);
			return;
		}
		byte[] secret;
		try {
			secret = HexFormat.of().parseHex(jwt.secret());
		}
		catch (IllegalArgumentException ex) {
			// The value is a secret: never in the message.
			problems.add(path + ".secret", "is not hex-encoded");
			return;
		}
		int bits = Integer.parseInt(algorithm.substring(2));
		if (secret.length * 8 < bits) {
			problems.add(path + ".secret", (secret.length * 8) + " bits is too short for " + algorithm
					+ " (expected: at least " + bits + " bits, " + (bits / 4) + " hex digits)");
		}
	}

	private static void validateKeySource(JwtSpec jwt, String algorithm, String path, ConfigProblems problems) {
		if (!jwt.secret().isEmpty()) {
			problems.add(path + ".secret", algorithm + " verifies with a public key: set publicKey or jwksUri instead");
		}
		if (jwt.publicKey().isEmpty() == jwt.jwksUri().isEmpty()) {
			problems.add(path, algorithm + " needs one of publicKey or jwksUri");
			return;
		}
		if (!jwt.publicKey().isEmpty()) {
			try {
				PublicKeyPem.read(jwt.publicKey(), algorithm.startsWith("ES") ? "EC" : "RSA");
			}
			catch (IllegalArgumentException ex) {
				problems.add(path + ".publicKey", "'" + jwt.publicKey() + "' " + ex.getMessage());
			}
			return;
		}
		try {
			URI uri = URI.create(jwt.jwksUri());
			if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
				problems.add(path + ".jwksUri", "'" + jwt.jwksUri() + "' (expected: an http or https URL)");
			}
		}
		catch (IllegalArgumentException ex) {
			problems.add(path + ".jwksUri", "'" + jwt.jwksUri() + "' is not a URL");
		}
	}

	private static void validateBasicAuth(BasicAuthSpec basicAuth, String path, ConfigProblems problems) {
		if (!basicAuth.mode().equalsIgnoreCase("FILE")) {
			problems.add(path + ".mode", "'" + basicAuth.mode() + "' (expected: FILE)");
		}
		if (basicAuth.userFile().isEmpty()) {
			problems.add(path + ".userFile", "is required");
			return;
		}
		try {
			new HtpasswdFile(userFile(basicAuth), USER_FILE_CHECK);
		}
		catch (IOException | IllegalArgumentException ex) {
			problems.add(path + ".userFile", "'" + basicAuth.userFile() + "' cannot be read as a file ("
					+ ex.getClass().getSimpleName() + ")");
		}
	}

	private static Path userFile(BasicAuthSpec basicAuth) throws IOException {
		return new DefaultResourceLoader().getResource(basicAuth.userFile()).getFile().toPath();
	}
}
