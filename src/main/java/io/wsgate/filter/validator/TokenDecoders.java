package io.wsgate.filter.validator;

import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import reactor.core.publisher.Flux;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds the Spring Security (Nimbus) decoder of a {@code jwt} spec: once per filter, so a handshake
 * costs only the parse, the signature check and the claim checks.
 */
final class TokenDecoders {

	static final Set<String> HMAC = Set.of("HS256", "HS384", "HS512");

	static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
			"ES384", "ES512");

	/** Unknown kids make the JWK set be fetched again at most this often. */
	static final Duration JWKS_MIN_REFRESH = Duration.ofSeconds(1);

	private TokenDecoders() {
	}

	/** The decoder of a validated spec. */
	static ReactiveJwtDecoder create(ValidatorSpec.JwtSpec spec) {
		NimbusReactiveJwtDecoder decoder;
		String algorithm = spec.algorithm().toUpperCase(java.util.Locale.ROOT);
		if (HMAC.contains(algorithm)) {
			decoder = NimbusReactiveJwtDecoder
				.withSecretKey(new SecretKeySpec(HexFormat.of().parseHex(spec.secret()), "Hmac" + algorithm))
				.macAlgorithm(MacAlgorithm.from(algorithm))
				.build();
		}
		else if (!spec.jwksUri().isEmpty()) {
			decoder = NimbusReactiveJwtDecoder
				.withJwkSource(new JwkSetSource(WebClient.create(), spec.jwksUri(), JWKS_MIN_REFRESH))
				.jwsAlgorithm(SignatureAlgorithm.from(algorithm))
				.build();
		}
		else if (algorithm.startsWith("ES")) {
			ECPublicKey key = (ECPublicKey) PublicKeyPem.read(spec.publicKey(), "EC");
			ECKey jwk = new ECKey.Builder(Curve.forECParameterSpec(key.getParams()), key).build();
			// The one configured key, under whatever kid the token names (Nimbus selects keys by kid).
			decoder = NimbusReactiveJwtDecoder.withJwkSource(jwt -> Flux.just(withKeyId(jwk, jwt.getHeader().getKeyID())))
				.jwsAlgorithm(SignatureAlgorithm.from(algorithm))
				.build();
		}
		else {
			decoder = NimbusReactiveJwtDecoder.withPublicKey((RSAPublicKey) PublicKeyPem.read(spec.publicKey(), "RSA"))
				.signatureAlgorithm(SignatureAlgorithm.from(algorithm))
				.build();
		}
		decoder.setJwtValidator(validator(spec));
		return decoder;
	}

	private static JWK withKeyId(ECKey key, String keyId) {
		return (keyId == null) ? key : new ECKey.Builder(key).keyID(keyId).build();
	}

	/** exp and nbf with the spec's clock skew, then issuer and audiences when given. */
	static OAuth2TokenValidator<Jwt> validator(ValidatorSpec.JwtSpec spec) {
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add(new JwtTimestampValidator(spec.clockSkew()));
		if (!spec.issuer().isEmpty()) {
			validators.add(new JwtIssuerValidator(spec.issuer()));
		}
		if (!spec.audiences().isEmpty()) {
			List<String> accepted = spec.audiences();
			validators.add(new JwtClaimValidator<Collection<String>>(JwtClaimNames.AUD,
					audience -> audience != null && accepted.stream().anyMatch(audience::contains)));
		}
		return new DelegatingOAuth2TokenValidator<>(validators);
	}
}
