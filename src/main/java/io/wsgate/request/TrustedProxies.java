package io.wsgate.request;

import java.util.ArrayList;
import java.util.List;

import io.netty.util.NetUtil;

/**
 * An http server's {@code trustedProxies}: the load balancers in front of it, as addresses or CIDR
 * ranges. A request from one of them carries the client's address in {@code X-Forwarded-For}; the
 * client is the rightmost address there that is not itself a trusted proxy (nginx's
 * {@code real_ip_recursive}), so a client cannot pass itself off as another by sending the header.
 */
public final class TrustedProxies {

	public static final TrustedProxies NONE = new TrustedProxies(IpRanges.NONE);

	private final IpRanges ranges;

	private TrustedProxies(IpRanges ranges) {
		this.ranges = ranges;
	}

	/** Throws {@link IllegalArgumentException} naming an entry that is no address or range. */
	public static TrustedProxies of(List<String> entries) {
		IpRanges ranges = IpRanges.of(entries);
		return ranges.isEmpty() ? NONE : new TrustedProxies(ranges);
	}

	public boolean isEmpty() {
		return ranges.isEmpty();
	}

	/** Whether an address (a literal; anything else is not trusted) is one of the trusted proxies. */
	public boolean trusts(String ip) {
		return ranges.contains(ip);
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
