package io.wsgate.filter.validator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The options of a {@code Validator} filter: every check given must pass.
 *
 * @param headers header name to the values it must have (403 otherwise)
 * @param jwt a JSON Web Token the client must present, 401 otherwise (null: no JWT check)
 * @param basicAuth user names and passwords from an htpasswd file, 401 otherwise (null: no Basic auth check)
 * @param firstMessage the JWT comes as the client's first message instead of with the handshake (null: with
 * the handshake)
 */
public record ValidatorSpec(Map<String, HeaderRuleSpec> headers, @Nullable JwtSpec jwt, @Nullable BasicAuthSpec basicAuth,
		@Nullable FirstMessageSpec firstMessage) {

	public ValidatorSpec {
		headers = (headers != null) ? Map.copyOf(headers) : Map.of();
	}

	/**
	 * What a header must hold: one of {@code values}, or a match of {@code regexp} (either will do).
	 *
	 * @param values accepted values, compared exactly
	 * @param regexp a regular expression the whole value must match; empty for none
	 */
	public record HeaderRuleSpec(List<String> values, String regexp) {

		public HeaderRuleSpec {
			values = (values != null) ? List.copyOf(values) : List.of();
			regexp = (regexp != null) ? regexp : "";
		}
	}

	/**
	 * The JWT check.
	 *
	 * @param algorithm HS256/384/512, RS256/384/512, PS256/384/512 or ES256/384/512
	 * @param secret the HMAC key, hex-encoded (HS*)
	 * @param publicKey location of a PEM public key or certificate (RS*, PS*, ES*)
	 * @param jwksUri URL of a JWK set, fetched when needed and again on an unknown {@code kid}
	 * @param issuer the {@code iss} the token must carry; empty for any
	 * @param audiences the token's {@code aud} must hold one of these; empty for any
	 * @param cookieName the cookie that carries the token; empty for none
	 * @param queryParam the query parameter that carries the token (removed before dialing)
	 * @param subprotocolPrefix the prefix of an offered subprotocol that carries the token (removed before dialing)
	 * @param claimsToHeaders claim name to the header the backend receives it in
	 * @param clockSkew leeway on {@code exp} and {@code nbf} (60s)
	 * @param closeOnExpiry whether the session is closed when the token expires
	 */
	public record JwtSpec(String algorithm, String secret, String publicKey, String jwksUri, String issuer,
			List<String> audiences, String cookieName, String queryParam, String subprotocolPrefix,
			Map<String, String> claimsToHeaders, @DefaultValue("60s") Duration clockSkew, boolean closeOnExpiry) {

		public JwtSpec {
			algorithm = (algorithm != null) ? algorithm.trim() : "";
			secret = (secret != null) ? secret.trim() : "";
			publicKey = (publicKey != null) ? publicKey.trim() : "";
			jwksUri = (jwksUri != null) ? jwksUri.trim() : "";
			issuer = (issuer != null) ? issuer : "";
			audiences = (audiences != null) ? List.copyOf(audiences) : List.of();
			cookieName = (cookieName != null) ? cookieName : "";
			queryParam = (queryParam != null) ? queryParam : "";
			subprotocolPrefix = (subprotocolPrefix != null) ? subprotocolPrefix : "";
			claimsToHeaders = (claimsToHeaders != null) ? Map.copyOf(claimsToHeaders) : Map.of();
		}
	}

	/**
	 * Basic authentication against an htpasswd file.
	 *
	 * @param mode {@code FILE}, the only mode
	 * @param userFile location of the htpasswd file (a file: it is re-read when it changes)
	 */
	public record BasicAuthSpec(@DefaultValue("FILE") String mode, String userFile) {

		public BasicAuthSpec {
			mode = mode.trim();
			userFile = (userFile != null) ? userFile.trim() : "";
		}
	}

	/**
	 * The token as the client's first message after the upgrade.
	 *
	 * @param timeout how long the client has to send it (5s)
	 * @param forward whether the message is also sent to the backend
	 */
	public record FirstMessageSpec(@DefaultValue("5s") Duration timeout, boolean forward) {
	}
}
