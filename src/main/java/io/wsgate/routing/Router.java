package io.wsgate.routing;

import java.util.List;

import io.wsgate.config.HttpServerSpec;
import io.wsgate.request.RequestInfo;

/**
 * Routes the requests of one http server. Rules and their paths are tried in order and the first
 * full match wins. When none matches, a path that matched but refused the method answers 405, one
 * that refused the headers answers 400, and otherwise 404. A client address that an ipFilter on the
 * way (server, rule, path) does not allow answers 403.
 */
public final class Router {

	private static final Route FORBIDDEN = Route.rejected(403, "the client address is not allowed here");

	private final List<IpFilter> serverFilter;

	private final List<HostRules> rules;

	public Router(HttpServerSpec spec) {
		this.serverFilter = IpFilter.chain(List.of(), spec.ipFilter());
		this.rules = spec.rules().stream().map(r -> {
			List<IpFilter> ruleChain = IpFilter.chain(serverFilter, r.ipFilter());
			return new HostRules(new HostMatcher(r.host()),
					r.paths().stream().map(p -> new PathRule(p, IpFilter.chain(ruleChain, p.ipFilter()))).toList());
		}).toList();
	}

	public Route route(RequestInfo request) {
		if (!IpFilter.allowAll(serverFilter, request.clientIp())) {
			return FORBIDDEN;
		}
		boolean methodRefused = false;
		boolean headersRefused = false;
		for (HostRules rule : rules) {
			if (!rule.host().matches(request.host())) {
				continue;
			}
			for (PathRule path : rule.paths()) {
				if (!path.matchesPath(request.path())) {
					continue;
				}
				if (!path.allowsMethod(request.method())) {
					methodRefused = true;
				}
				else if (!path.matchesHeaders(request)) {
					headersRefused = true;
				}
				else {
					// As Easegress: the first full match decides, and its ipFilter chain applies.
					return path.allowsClient(request.clientIp()) ? path.route() : FORBIDDEN;
				}
			}
		}
		if (methodRefused) {
			return Route.rejected(405, "method not allowed");
		}
		if (headersRefused) {
			return Route.rejected(400, "request headers do not match the route");
		}
		return Route.rejected(404, "no route");
	}

	private record HostRules(HostMatcher host, List<PathRule> paths) {
	}
}
