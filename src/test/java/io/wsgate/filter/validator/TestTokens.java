package io.wsgate.filter.validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Tokens signed the way an identity provider signs them: with Nimbus, on keys made for the test. */
final class TestTokens {

	private TestTokens() {
	}

	/** Claims for {@code subject}, expiring at {@code expiry}. */
	static JWTClaimsSet.Builder claims(String subject, Instant expiry) {
		return new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(expiry))
			.issueTime(Date.from(expiry.minusSeconds(3600)));
	}

	static String hs256(String hexSecret, JWTClaimsSet claims) {
		return sign(new JWSHeader(JWSAlgorithm.HS256), claims, macSigner(hexSecret));
	}

	static String rs256(KeyPair keys, JWTClaimsSet claims) {
		return sign(new JWSHeader(JWSAlgorithm.RS256), claims, new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
	}

	static String es256(ECKey key, JWTClaimsSet claims) {
		try {
			return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims,
					new ECDSASigner((ECPrivateKey) key.toPrivateKey()));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static KeyPair rsaKeyPair() {
		return keyPair("RSA", 2048);
	}

	/** A P-256 key with an id, as a JWK set publishes it. */
	static ECKey ecKey(String keyId) {
		KeyPair pair = keyPair("EC", 256);
		return new ECKey.Builder(Curve.P_256, (java.security.interfaces.ECPublicKey) pair.getPublic())
			.privateKey((ECPrivateKey) pair.getPrivate())
			.keyID(keyId)
			.build();
	}

	/** A JWK set document with the public halves of {@code keys}. */
	static String jwkSet(ECKey... keys) {
		StringBuilder json = new StringBuilder("{\"keys\":[");
		for (int i = 0; i < keys.length; i++) {
			json.append((i > 0) ? "," : "").append(keys[i].toPublicJWK().toJSONString());
		}
		return json.append("]}").toString();
	}

	static Path writePem(Path file, PublicKey key) throws IOException {
		String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
		return Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
	}

	/** A claims set with extra claims, for audiences, issuers and the like. */
	static JWTClaimsSet with(JWTClaimsSet.Builder builder, Map<String, Object> extra) {
		extra.forEach(builder::claim);
		return builder.build();
	}

	private static JWSSigner macSigner(String hexSecret) {
		try {
			return new MACSigner(HexFormat.of().parseHex(hexSecret));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
		try {
			SignedJWT jwt = new SignedJWT(header, claims);
			jwt.sign(signer);
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KeyPair keyPair(String algorithm, int size) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
			generator.initialize(size);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
