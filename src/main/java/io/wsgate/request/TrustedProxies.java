package io.wsgate.request;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

/**
 * An http server's {@code trustedProxies}: the load balancers in front of it, as addresses or CIDR
 * ranges. A request from one of them carries the client's address in {@code X-Forwarded-For}; the
 * client is the rightmost address there that is not itself a trusted proxy (nginx's
 * {@code real_ip_recursive}), so a client cannot pass itself off as another by sending the header.
 */
public final class TrustedProxies {

	public static final TrustedProxies NONE = new TrustedProxies(List.of());

	private final List<IpSubnetFilterRule> ranges;

	private TrustedProxies(List<IpSubnetFilterRule> ranges) {
		this.ranges = ranges;
	}

	/** Throws {@link IllegalArgumentException} naming an entry that is no address or range. */
	public static TrustedProxies of(List<String> entries) {
		List<IpSubnetFilterRule> ranges = new ArrayList<>();
		for (String entry : entries) {
			ranges.add(range(entry));
		}
		return ranges.isEmpty() ? NONE : new TrustedProxies(List.copyOf(ranges));
	}

	/** An address ({@code 10.0.0.7}, {@code ::1}) or a CIDR range ({@code 10.0.0.0/8}); never a host name. */
	static IpSubnetFilterRule range(String entry) {
		String text = entry.trim();
		int slash = text.indexOf('/');
		String address = (slash >= 0) ? text.substring(0, slash) : text;
		byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
		if (bytes == null) {
			throw new IllegalArgumentException("'" + entry + "' is not an IP address or a CIDR range");
		}
		int bits = bytes.length * 8;
		int prefix;
		try {
			prefix = (slash >= 0) ? Integer.parseInt(text.substring(slash + 1)) : bits;
		}
		catch (NumberFormatException ex) {
			prefix = -1;
		}
		if (prefix < 0 || prefix > bits) {
			throw new IllegalArgumentException("'" + entry + "': the prefix length must be 0.." + bits);
		}
		return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
	}

	public boolean isEmpty() {
		return ranges.isEmpty();
	}

	/** Whether an address (a literal; anything else is not trusted) is one of the trusted proxies. */
	public boolean trusts(String ip) {
		if (ranges.isEmpty()) {
			return false;
		}
		InetAddress address = NetUtil.createInetAddressFromIpAddressString(ip.trim());
		if (address == null) {
			return false;
		}
		InetSocketAddress socket = new InetSocketAddress(address, 0);
		for (IpSubnetFilterRule range : ranges) {
			if (range.matches(socket)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The client's address: the TCP peer's, unless the peer is trusted; then the rightmost address of
	 * {@code X-Forwarded-For} that is not trusted, or the leftmost when all of them are.
	 *
	 * @param peerIp the TCP peer
	 * @param forwardedFor the values of the X-Forwarded-For headers, in order
	 */
	public String clientIp(String peerIp, List<String> forwardedFor) {
		if (!trusts(peerIp) || forwardedFor.isEmpty()) {
			return peerIp;
		}
		List<String> hops = new ArrayList<>();
		for (String value : forwardedFor) {
			for (String hop : value.split(",")) {
				if (!hop.isBlank()) {
					hops.add(hop.trim());
				}
			}
		}
		for (int i = hops.size() - 1; i >= 0; i--) {
			if (!trusts(hops.get(i))) {
				return (NetUtil.isValidIpV4Address(hops.get(i)) || NetUtil.isValidIpV6Address(hops.get(i))) ? hops.get(i)
						: peerIp;
			}
		}
		return hops.isEmpty() ? peerIp : hops.get(0);
	}
}
