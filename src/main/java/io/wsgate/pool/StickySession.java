package io.wsgate.pool;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.wsgate.config.PoolSpec.StickyMode;
import io.wsgate.config.PoolSpec.StickySessionSpec;
import io.wsgate.request.RequestInfo;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Session stickiness, tried before the load-balancing policy. Unlike Easegress, the LB cookie of
 * the DurationBased and ApplicationBased modes is really issued, on the 101 response.
 */
public sealed interface StickySession {

	/** The sticky server for this request among the healthy ones (null: none, the policy picks). */
	@Nullable Server pick(List<Server> healthy, RequestInfo request);

	/**
	 * The {@code Set-Cookie} value to add to the client's 101 response for a session on
	 * {@code server} (null: none).
	 */
	@Nullable String cookieFor(Server server, HttpHeaders backendResponseHeaders);

	static StickySession of(StickySessionSpec spec) {
		StickyMode mode = spec.parsedMode();
		if (mode == null) {
			throw new IllegalArgumentException("unknown sticky session mode " + spec.mode());
		}
		return switch (mode) {
			case COOKIE_CONSISTENT_HASH -> new CookieConsistentHash(spec.appCookieName());
			case DURATION_BASED -> new LbCookie(spec, false);
			case APPLICATION_BASED -> new LbCookie(spec, true);
		};
	}

	/** The application cookie's value is located on a consistent-hash ring of the healthy servers. */
	final class CookieConsistentHash implements StickySession {

		private final String appCookieName;

		private volatile ConsistentHashRing ring = new ConsistentHashRing(List.of());

		CookieConsistentHash(String appCookieName) {
			this.appCookieName = appCookieName;
		}

		@Override
		public @Nullable Server pick(List<Server> healthy, RequestInfo request) {
			String value = request.cookie(appCookieName);
			if (value == null) {
				return null;
			}
			ConsistentHashRing current = ring;
			if (!current.isFor(healthy)) {
				// The healthy list is an immutable snapshot: rebuild only when it was replaced.
				current = new ConsistentHashRing(healthy);
				ring = current;
			}
			return current.locate(value);
		}

		@Override
		public @Nullable String cookieFor(Server server, HttpHeaders backendResponseHeaders) {
			return null;
		}
	}

	/**
	 * A cookie issued by the gateway naming the server: hex of an 8-byte random key followed by
	 * HMAC-SHA256(key, server url), the Easegress format. ApplicationBased issues it only when the
	 * backend's handshake response sets the application cookie.
	 */
	final class LbCookie implements StickySession {

		private static final SecureRandom RANDOM = new SecureRandom();

		private final String cookieName;

		private final Duration expire;

		private final String appCookieName;

		private final boolean onlyWithAppCookie;

		LbCookie(StickySessionSpec spec, boolean onlyWithAppCookie) {
			this.cookieName = spec.lbCookieName();
			this.expire = spec.lbCookieExpire();
			this.appCookieName = spec.appCookieName();
			this.onlyWithAppCookie = onlyWithAppCookie;
		}

		@Override
		public @Nullable Server pick(List<Server> healthy, RequestInfo request) {
			String value = request.cookie(cookieName);
			if (value == null || value.length() != 80) {
				return null;
			}
			byte[] bytes;
			try {
				bytes = HexFormat.of().parseHex(value);
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
			byte[] key = java.util.Arrays.copyOf(bytes, 8);
			byte[] mac = java.util.Arrays.copyOfRange(bytes, 8, 40);
			for (Server server : healthy) {
				if (java.security.MessageDigest.isEqual(mac, hmac(key, server.url()))) {
					return server;
				}
			}
			return null;
		}

		@Override
		public @Nullable String cookieFor(Server server, HttpHeaders backendResponseHeaders) {
			if (onlyWithAppCookie && !setsCookie(backendResponseHeaders, appCookieName)) {
				return null;
			}
			byte[] key = new byte[8];
			RANDOM.nextBytes(key);
			String value = HexFormat.of().formatHex(key) + HexFormat.of().formatHex(hmac(key, server.url()));
			String expires = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).plus(expire));
			return cookieName + "=" + value + "; Expires=" + expires;
		}

		private static boolean setsCookie(HttpHeaders headers, String name) {
			for (String setCookie : headers.getOrEmpty(HttpHeaders.SET_COOKIE)) {
				if (setCookie.startsWith(name + "=")) {
					return true;
				}
			}
			return false;
		}

		private static byte[] hmac(byte[] key, String url) {
			try {
				Mac mac = Mac.getInstance("HmacSHA256");
				mac.init(new SecretKeySpec(key, "HmacSHA256"));
				return mac.doFinal(url.getBytes(StandardCharsets.UTF_8));
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("HmacSHA256 is part of every JDK", ex);
			}
		}
	}
}
