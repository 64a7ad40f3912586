package io.wsgate.proxy;

import java.util.List;

import io.wsgate.config.OriginGlob;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OriginCheckTests {

	private final OriginCheck sameHostOnly = new OriginCheck(List.of(), false);

	@Test
	void aRequestWithoutOriginPasses() {
		assertThat(sameHostOnly.refusal(null, "gw.example.com")).isNull();
	}

	@Test
	void anOriginNamingTheRequestHostPasses() {
		assertThat(sameHostOnly.refusal("https://gw.example.com", "gw.example.com")).isNull();
		assertThat(sameHostOnly.refusal("http://GW.Example.com:8080", "gw.example.COM:8080")).isNull();
	}

	@Test
	void theOriginsHostIsWhatJavaNetUriReadsThere() {
		for (String origin : List.of("https://gw.example.com", " http://GW.Example.com:8080 ", "http://127.0.0.1:41000",
				"http://a..b", "http://-a-", "http://a:", "http://a:1:2", "http://:80", "http://a:99999999999",
				"ws+x.y-z://h", "chrome-extension://abcdef", "http://", "://host", "1http://host", "http//host",
				"http://host/", "http://host/path", "http://[::1]:8080", "http://user@host", "http://ho st",
				"http://host?x", "http://host#f", "null", "", "http://h_st", "h://x")) {
			assertThat(OriginCheck.originHost(origin)).as(origin).isEqualTo(byUri(origin));
		}
	}

	private static String byUri(String origin) {
		try {
			java.net.URI uri = new java.net.URI(origin.trim());
			return (uri.getRawAuthority() != null) ? uri.getRawAuthority().toLowerCase(java.util.Locale.ROOT) : "";
		}
		catch (Exception ex) {
			return "";
		}
	}

	@Test
	void anOriginOnAnotherPortOfTheSameHostIsRefused() {
		assertThat(sameHostOnly.refusal("http://gw.example.com:9999", "gw.example.com:8080")).isNotNull();
	}

	@Test
	void aForeignOriginIsRefusedWithAReason() {
		String refusal = sameHostOnly.refusal("https://evil.com", "gw.example.com");

		assertThat(refusal).contains("https://evil.com").contains("gw.example.com");
	}

	@Test
	void anOriginPatternAllowsMatchingOrigins() {
		OriginCheck check = new OriginCheck(List.of("*.example.com"), false);

		assertThat(check.refusal("https://chat.example.com", "gw.internal")).isNull();
		assertThat(check.refusal("https://CHAT.EXAMPLE.COM", "gw.internal")).isNull();
		assertThat(check.refusal("https://evil.com", "gw.internal")).isNotNull();
		assertThat(check.refusal("https://example.com.evil.com", "gw.internal")).isNotNull();
	}

	@Test
	void anOriginPatternIsMatchedAgainstHostAndPort() {
		OriginCheck check = new OriginCheck(List.of("localhost:*"), false);

		assertThat(check.refusal("http://localhost:3000", "gw.internal")).isNull();
		assertThat(check.refusal("http://localhost", "gw.internal")).isNotNull();
	}

	@Test
	void theNullOriginIsRefused() {
		assertThat(sameHostOnly.refusal("null", "gw.example.com")).isNotNull();
		assertThat(new OriginCheck(List.of("*"), false).refusal("null", "gw.example.com")).isNotNull();
	}

	@Test
	void insecureSkipVerifyAllowsAnyOrigin() {
		OriginCheck check = new OriginCheck(List.of(), true);

		assertThat(check.refusal("https://evil.com", "gw.example.com")).isNull();
		assertThat(check.refusal("null", "gw.example.com")).isNull();
	}

	@Test
	void globsFollowGoFilepathMatch() {
		assertThat(OriginGlob.compile("a?c").matcher("abc").matches()).isTrue();
		assertThat(OriginGlob.compile("a?c").matcher("ac").matches()).isFalse();
		assertThat(OriginGlob.compile("[a-c]x.com").matcher("bx.com").matches()).isTrue();
		assertThat(OriginGlob.compile("[a-c]x.com").matcher("dx.com").matches()).isFalse();
		assertThat(OriginGlob.compile("a.com").matcher("abcom").matches()).as("'.' is literal").isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> OriginGlob.compile("[abc"));
	}
}
