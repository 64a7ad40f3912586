package io.wsgate.config;

import java.util.List;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Easegress's {@code ipFilter} on an http server, a rule or a path: the client's address (behind
 * {@code trustedProxies}, the forwarded one) must pass every level's filter, or the answer is 403.
 *
 * @param blockByDefault block addresses that neither list names (default false)
 * @param allowIPs addresses and CIDR ranges allowed; when set, every other address is blocked
 * @param blockIPs addresses and CIDR ranges blocked (one in both lists gets the default)
 */
public record IpFilterSpec(@DefaultValue("false") boolean blockByDefault, List<String> allowIPs, List<String> blockIPs) {

	public IpFilterSpec {
		allowIPs = Specs.list(allowIPs);
		blockIPs = Specs.list(blockIPs);
	}
}
