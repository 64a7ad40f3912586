package io.wsgate.routing;

import java.util.ArrayList;
import java.util.List;

import io.wsgate.config.IpFilterSpec;
import io.wsgate.request.IpRanges;
import org.jspecify.annotations.Nullable;

/** A compiled {@link IpFilterSpec}, with Easegress's decision rules. */
final class IpFilter {

	private final boolean blockByDefault;

	private final IpRanges allow;

	private final IpRanges block;

	private IpFilter(IpFilterSpec spec) {
		this.blockByDefault = spec.blockByDefault();
		this.allow = IpRanges.of(spec.allowIPs());
		this.block = IpRanges.of(spec.blockIPs());
	}

	boolean allows(String ip) {
		boolean allowed = allow.contains(ip);
		if (!allow.isEmpty() && !allowed) {
			return false;
		}
		boolean blocked = block.contains(ip);
		if (allowed != blocked) {
			return allowed;
		}
		return !blockByDefault;
	}

	/** The filters of the levels a request passes, outermost first; null specs are levels without one. */
	static List<IpFilter> chain(List<IpFilter> outer, @Nullable IpFilterSpec spec) {
		if (spec == null) {
			return outer;
		}
		List<IpFilter> chain = new ArrayList<>(outer);
		chain.add(new IpFilter(spec));
		return List.copyOf(chain);
	}

	static boolean allowAll(List<IpFilter> chain, String ip) {
		for (IpFilter filter : chain) {
			if (!filter.allows(ip)) {
				return false;
			}
		}
		return true;
	}
}
