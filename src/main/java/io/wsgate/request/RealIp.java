package io.wsgate.request;

import java.net.InetAddress;

import org.springframework.http.HttpHeaders;

/**
 * The client's "real" address as Easegress (tomasen/realip) computes it: the peer address when
 * neither {@code X-Real-Ip} nor {@code X-Forwarded-For} is present, otherwise the first public
 * address of {@code X-Forwarded-For}, falling back to {@code X-Real-Ip}. Only used for hashing,
 * never for access control: clients can set these headers.
 */
public final class RealIp {

	private RealIp() {
	}

	public static String of(HttpHeaders headers, String peerIp) {
		String realIp = headers.getFirst("X-Real-Ip");
		String forwarded = headers.getFirst("X-Forwarded-For");
		if (realIp == null && forwarded == null) {
			return peerIp;
		}
		if (forwarded != null) {
			for (String candidate : forwarded.split(",")) {
				String ip = candidate.trim();
				if (isPublicIpLiteral(ip)) {
					return ip;
				}
			}
		}
		return (realIp != null) ? realIp.trim() : "";
	}

	static boolean isPublicIpLiteral(String text) {
		if (text.isEmpty() || !(text.indexOf(':') >= 0 || Character.isDigit(text.charAt(0)))) {
			return false;
		}
		try {
			// Only literals reach here, so this never does a DNS lookup.
			InetAddress address = InetAddress.getByName(text);
			if (!text.contains(":") && !text.matches("[0-9.]+")) {
				return false;
			}
			byte[] b = address.getAddress();
			boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
			return !(address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
					|| address.isAnyLocalAddress() || uniqueLocalV6);
		}
		catch (Exception ex) {
			return false;
		}
	}
}
