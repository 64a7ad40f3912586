package io.wsgate.filter.validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hashes of htpasswd files. The {@code {SHA}} and {@code $apr1$} lines were made by OpenSSL
 * ({@code printf 'password' | openssl sha1 -binary | base64}, {@code openssl passwd -apr1 -salt
 * r31.Hsf5 wsgate-apr1-pw}); the {@code $2y$} line is PHP's documented {@code password_verify}
 * example (Apache's htpasswd -B writes the same format); other bcrypt lines come from Spring's encoder.
 */
class HtpasswdFileTests {

	static final String SHA_LINE = "sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";

	static final String APR1_LINE = "apr:$apr1$r31.Hsf5$1puqt5cT/68o6pMzUktGd/";

	static final String BCRYPT_2Y_LINE = "php:$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a";

	@TempDir
	Path dir;

	@Test
	void shaLinesMatchTheirPasswordOnly() {
		assertThat(PasswordHashes.matches("password", hash(SHA_LINE))).isTrue();
		assertThat(PasswordHashes.matches("Password", hash(SHA_LINE))).isFalse();
	}

	@Test
	void apr1LinesMatchTheirPasswordOnly() {
		assertThat(PasswordHashes.matches("wsgate-apr1-pw", hash(APR1_LINE))).isTrue();
		assertThat(PasswordHashes.matches("wsgate-apr1-px", hash(APR1_LINE))).isFalse();
	}

	@Test
	void bcryptLinesOfEveryVersionMatchTheirPasswordOnly() {
		assertThat(PasswordHashes.matches("rasmuslerdorf", hash(BCRYPT_2Y_LINE))).isTrue();
		assertThat(PasswordHashes.matches("rasmuslerdorF", hash(BCRYPT_2Y_LINE))).isFalse();
		for (BCryptPasswordEncoder.BCryptVersion version : BCryptPasswordEncoder.BCryptVersion.values()) {
			String hash = new BCryptPasswordEncoder(version, 4).encode("s3cret");
			assertThat(hash).startsWith(version.getVersion());
			assertThat(PasswordHashes.matches("s3cret", hash)).isTrue();
			assertThat(PasswordHashes.matches("s3cre", hash)).isFalse();
		}
	}

	@Test
	void linesWithoutASupportedHashAreLeftOut() throws IOException {
		Path file = Files.writeString(dir.resolve("htpasswd"), String.join("\n", "# users", "", SHA_LINE,
				"plain:clear-text-password", "crypt:rqXexS6ZhobKA", "nocolon", APR1_LINE, BCRYPT_2Y_LINE) + "\n");

		HtpasswdFile users = new HtpasswdFile(file, Duration.ofSeconds(1));

		assertThat(users.users()).containsOnlyKeys("sha", "apr", "php");
	}

	@Test
	void aChangedFileIsReadAgainAtTheNextCheck() throws IOException {
		Path file = Files.writeString(dir.resolve("htpasswd"), SHA_LINE + "\n");
		HtpasswdFile users = new HtpasswdFile(file, Duration.ofMillis(50));

		Files.writeString(file, SHA_LINE + "\n" + APR1_LINE + "\n");

		await().atMost(Duration.ofSeconds(5)).until(() -> users.users().containsKey("apr"));
		Files.writeString(file, APR1_LINE + "\n");
		await().atMost(Duration.ofSeconds(5)).until(() -> !users.users().containsKey("sha"));
	}

	@Test
	void aFileThatDisappearsKeepsTheUsersLastRead() throws IOException {
		Path file = Files.writeString(dir.resolve("htpasswd"), SHA_LINE + "\n");
		HtpasswdFile users = new HtpasswdFile(file, Duration.ofMillis(1));

		Files.delete(file);

		await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
			.until(() -> users.users().containsKey("sha"));
	}

	private static String hash(String line) {
		return line.substring(line.indexOf(':') + 1);
	}
}
