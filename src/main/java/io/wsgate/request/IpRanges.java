package io.wsgate.request;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

/** A set of addresses and CIDR ranges of both families ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}). */
public final class IpRanges {

	public static final IpRanges NONE = new IpRanges(List.of());

	private final List<IpSubnetFilterRule> ranges;

	private IpRanges(List<IpSubnetFilterRule> ranges) {
		this.ranges = ranges;
	}

	/** Throws {@link IllegalArgumentException} naming an entry that is no address or range; never resolves a name. */
	public static IpRanges of(List<String> entries) {
		List<IpSubnetFilterRule> ranges = new ArrayList<>();
		for (String entry : entries) {
			ranges.add(range(entry));
		}
		return ranges.isEmpty() ? NONE : new IpRanges(List.copyOf(ranges));
	}

	private static IpSubnetFilterRule range(String entry) {
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

	/** Whether an address literal is in one of the ranges; anything that is no address is in none. */
	public boolean contains(String ip) {
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
}
