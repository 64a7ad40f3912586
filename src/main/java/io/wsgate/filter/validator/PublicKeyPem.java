package io.wsgate.filter.validator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * Reads the public key of {@code jwt.publicKey}: a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo)
 * or {@code CERTIFICATE}, at a Spring resource location. The JDK decodes the key; only the PEM
 * armour is taken off here.
 */
final class PublicKeyPem {

	private PublicKeyPem() {
	}

	/**
	 * @param location a resource location such as {@code file:/etc/wsgate/jwt.pem}
	 * @param keyAlgorithm {@code RSA} or {@code EC}
	 * @throws IllegalArgumentException when the location cannot be read or holds no such key
	 */
	static PublicKey read(String location, String keyAlgorithm) {
		Resource resource = new DefaultResourceLoader().getResource(location);
		String pem;
		try (InputStream in = resource.getInputStream()) {
			pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("cannot be read (" + ex.getClass().getSimpleName() + ")");
		}
		PublicKey key;
		try {
			key = pem.contains("-----BEGIN CERTIFICATE-----")
					? CertificateFactory.getInstance("X.509")
						.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
						.getPublicKey()
					: KeyFactory.getInstance(keyAlgorithm).generatePublic(new X509EncodedKeySpec(body(pem)));
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			key = null;
		}
		if (key == null || !key.getAlgorithm().equals(keyAlgorithm)) {
			throw new IllegalArgumentException("is not a PEM " + keyAlgorithm + " public key or certificate");
		}
		return key;
	}

	private static byte[] body(String pem) {
		int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
		int end = pem.indexOf("-----END PUBLIC KEY-----");
		if (begin < 0 || end < begin) {
			throw new IllegalArgumentException("no PUBLIC KEY block");
		}
		return Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
	}
}
