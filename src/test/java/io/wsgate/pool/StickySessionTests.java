package io.wsgate.pool;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.wsgate.config.PoolSpec.StickySessionSpec;
import io.wsgate.request.RequestInfo;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static io.wsgate.config.TestSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StickySessionTests {

	private static final Pattern LB_COOKIE = Pattern.compile("EG_SESSION=([0-9a-f]{80}); Expires=(.+)");

	private final List<Server> servers = LoadBalancePolicyTests.servers(5);

	@Test
	void cookieConsistentHashSendsTheSameCookieValueToTheSameServer() {
		StickySession sticky = sticky("CookieConsistentHash", "user");

		Set<Server> picked = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			picked.add(sticky.pick(servers, withCookie("theme=dark; user=alice")));
		}

		assertThat(picked).hasSize(1).doesNotContainNull();
	}

	@Test
	void cookieConsistentHashSpreadsDistinctCookieValuesOverTheServers() {
		StickySession sticky = sticky("CookieConsistentHash", "user");

		Set<Server> picked = new HashSet<>();
		for (int i = 0; i < 1000; i++) {
			picked.add(sticky.pick(servers, withCookie("user=u" + i)));
		}

		assertThat(picked).containsExactlyInAnyOrderElementsOf(servers);
	}

	@Test
	void cookieConsistentHashKeepsKeysOnTheirServerWhenAnotherServerIsRemoved() {
		StickySession sticky = sticky("CookieConsistentHash", "user");
		Server removed = servers.get(2);
		List<Server> withoutOne = servers.stream().filter(s -> !s.equals(removed)).toList();

		int moved = 0;
		for (int i = 0; i < 1000; i++) {
			RequestInfo request = withCookie("user=u" + i);
			Server before = sticky.pick(servers, request);
			Server after = sticky.pick(withoutOne, request);
			assertThat(after).isIn(withoutOne);
			if (!before.equals(removed)) {
				assertThat(after).as("server of key u%d", i).isEqualTo(before);
			}
			else {
				moved++;
			}
		}
		assertThat(moved).as("keys of the removed server").isPositive();
	}

	@Test
	void cookieConsistentHashWithoutTheCookieFallsBackToThePolicy() {
		StickySession sticky = sticky("CookieConsistentHash", "user");

		assertThat(sticky.pick(servers, withCookie("theme=dark"))).isNull();
		assertThat(sticky.pick(servers, RequestInfo.of("GET", "gw", "/", new HttpHeaders(), "10.0.0.1"))).isNull();
	}

	@Test
	void cookieConsistentHashIssuesNoCookie() {
		StickySession sticky = sticky("CookieConsistentHash", "user");

		assertThat(sticky.cookieFor(servers.get(0), new HttpHeaders())).isNull();
	}

	@Test
	void durationBasedIssuesAnLbCookieThatLeadsBackToTheSameServer() {
		StickySession sticky = sticky("DurationBased", "");

		for (Server server : servers) {
			String setCookie = sticky.cookieFor(server, new HttpHeaders());
			Matcher m = LB_COOKIE.matcher(setCookie);
			assertThat(m.matches()).as(setCookie).isTrue();

			assertThat(sticky.pick(servers, withCookie("EG_SESSION=" + m.group(1)))).isEqualTo(server);
		}
	}

	@Test
	void durationBasedCookieExpiresAfterTheConfiguredDuration() {
		StickySession sticky = StickySession.of(spec(StickySessionSpec.class, "mode", "DurationBased", "lbCookieExpire",
				Duration.ofMinutes(30)));

		Matcher m = LB_COOKIE.matcher(sticky.cookieFor(servers.get(0), new HttpHeaders()));

		assertThat(m.matches()).isTrue();
		ZonedDateTime expires = ZonedDateTime.parse(m.group(2), DateTimeFormatter.RFC_1123_DATE_TIME);
		assertThat(expires.toEpochSecond())
			.isCloseTo(ZonedDateTime.now().plusMinutes(30).toEpochSecond(), within(60L));
	}

	@Test
	void durationBasedUsesTheConfiguredLbCookieName() {
		StickySession sticky = StickySession.of(spec(StickySessionSpec.class, "mode", "DurationBased", "lbCookieName", "LB"));

		String setCookie = sticky.cookieFor(servers.get(3), new HttpHeaders());

		assertThat(setCookie).startsWith("LB=");
		String value = setCookie.substring(3, setCookie.indexOf(';'));
		assertThat(sticky.pick(servers, withCookie("LB=" + value))).isEqualTo(servers.get(3));
		assertThat(sticky.pick(servers, withCookie("EG_SESSION=" + value))).isNull();
	}

	@Test
	void durationBasedIgnoresATamperedCookie() {
		StickySession sticky = sticky("DurationBased", "");
		Matcher m = LB_COOKIE.matcher(sticky.cookieFor(servers.get(1), new HttpHeaders()));
		assertThat(m.matches()).isTrue();
		String value = m.group(1);
		char last = value.charAt(value.length() - 1);
		String tampered = value.substring(0, value.length() - 1) + (last == '0' ? '1' : '0');

		assertThat(sticky.pick(servers, withCookie("EG_SESSION=" + tampered))).isNull();
		assertThat(sticky.pick(servers, withCookie("EG_SESSION=" + value.substring(2)))).isNull();
		assertThat(sticky.pick(servers, withCookie("EG_SESSION=" + "z".repeat(80)))).isNull();
	}

	@Test
	void durationBasedCookieOfAnUnhealthyServerFallsBackToThePolicy() {
		StickySession sticky = sticky("DurationBased", "");
		Matcher m = LB_COOKIE.matcher(sticky.cookieFor(servers.get(4), new HttpHeaders()));
		assertThat(m.matches()).isTrue();

		assertThat(sticky.pick(servers.subList(0, 4), withCookie("EG_SESSION=" + m.group(1)))).isNull();
	}

	@Test
	void applicationBasedIssuesTheLbCookieOnlyWhenTheBackendSetsTheAppCookie() {
		StickySession sticky = sticky("ApplicationBased", "user");
		HttpHeaders none = new HttpHeaders();
		HttpHeaders other = new HttpHeaders();
		other.add(HttpHeaders.SET_COOKIE, "theme=dark; Path=/");
		HttpHeaders app = new HttpHeaders();
		app.add(HttpHeaders.SET_COOKIE, "theme=dark; Path=/");
		app.add(HttpHeaders.SET_COOKIE, "user=alice; HttpOnly");

		assertThat(sticky.cookieFor(servers.get(0), none)).isNull();
		assertThat(sticky.cookieFor(servers.get(0), other)).isNull();
		String setCookie = sticky.cookieFor(servers.get(0), app);
		Matcher m = LB_COOKIE.matcher(setCookie);
		assertThat(m.matches()).as(setCookie).isTrue();
		assertThat(sticky.pick(servers, withCookie("user=alice; EG_SESSION=" + m.group(1)))).isEqualTo(servers.get(0));
	}

	@Test
	void applicationBasedDoesNotMistakeACookieWithALongerNameForTheAppCookie() {
		StickySession sticky = sticky("ApplicationBased", "user");
		HttpHeaders headers = new HttpHeaders();
		headers.add(HttpHeaders.SET_COOKIE, "username=alice");

		assertThat(sticky.cookieFor(servers.get(0), headers)).isNull();
	}

	private static StickySession sticky(String mode, String appCookieName) {
		return StickySession.of(spec(StickySessionSpec.class, "mode", mode, "appCookieName", appCookieName));
	}

	private static RequestInfo withCookie(String cookie) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.COOKIE, cookie);
		return RequestInfo.of("GET", "gw.example.com", "/ws", headers, "10.0.0.1");
	}
}
