package io.wsgate.filter.validator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.codec.digest.Md5Crypt;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The password hashes of an htpasswd file that are checked: bcrypt ({@code $2y$}, {@code $2a$},
 * {@code $2b$}) by Spring Security, {@code {SHA}} (base64 of SHA-1) and {@code $apr1$} (Apache's
 * MD5) by commons-codec. bcrypt costs milliseconds by design: never call this on an event loop.
 */
final class PasswordHashes {

	private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder();

	private PasswordHashes() {
	}

	/** Whether the file's hash is of a supported kind. */
	static boolean isSupported(String hash) {
		return isBcrypt(hash) || hash.startsWith("{SHA}") || hash.startsWith("$apr1$");
	}

	/** Whether {@code password} matches {@code hash}; false for an unsupported hash. */
	static boolean matches(String password, String hash) {
		if (isBcrypt(hash)) {
			return BCRYPT.matches(password, hash);
		}
		if (hash.startsWith("{SHA}")) {
			String computed = "{SHA}" + Base64.getEncoder().encodeToString(DigestUtils.sha1(password));
			return constantTimeEquals(computed, hash);
		}
		if (hash.startsWith("$apr1$")) {
			return constantTimeEquals(Md5Crypt.apr1Crypt(password.getBytes(StandardCharsets.UTF_8), hash), hash);
		}
		return false;
	}

	private static boolean isBcrypt(String hash) {
		return hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$");
	}

	private static boolean constantTimeEquals(String a, String b) {
		return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
	}
}
