package io.wsgate.request;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The client's "real" address as Easegress (tomasen/realip) computes it: the peer address when
 * neither {@code X-Real-Ip} nor {@code X-Forwarded-For} is present, otherwise the first public
 * address of {@code X-Forwarded-For}, falling back to {@code X-Real-Ip}. Only used for hashing,
 * never for access control: clients can set these headers.
 */
public final class RealIp {

	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

	private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

	private RealIp() {
	}

	public static String of(HttpHeaders headers, String peerIp) {
		String realIp = headers.getFirst("X-Real-Ip");
		String forwarded = headers.getFirst("X-Forwarded-For");
		if (isBlank(realIp) && isBlank(forwarded)) {
			return peerIp;
		}
		if (forwarded != null && !forwarded.isBlank()) {
			for (String candidate : forwarded.split(",")) {
				String ip = candidate.trim();
				if (isPublicIpLiteral(ip)) {
					return ip;
				}
			}
		}
		return (realIp != null) ? realIp.trim() : "";
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

	static boolean isPublicIpLiteral(String text) {
		// Check the form first: InetAddress.getByName would resolve a host name through DNS.
		if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
			return false;
		}
		try {
			InetAddress address = InetAddress.getByName(text);
			byte[] b = address.getAddress();
			boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
			return !(address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
					|| address.isAnyLocalAddress() || uniqueLocalV6);
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}
}
