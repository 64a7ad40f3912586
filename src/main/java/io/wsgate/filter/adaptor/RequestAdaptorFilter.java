package io.wsgate.filter.adaptor;

import java.util.List;
import java.util.Map;

import io.wsgate.pipeline.BackendRequest;
import io.wsgate.pipeline.Filter;
import io.wsgate.pipeline.FilterContext;
import reactor.core.publisher.Mono;

/**
 * Rewrites the handshake the proxy sends to the backend: path (query kept), Host and headers
 * (deleted, then set, then added, as Easegress does). It works on what earlier filters left, so
 * two adaptors compose, and always continues. Nothing here blocks: it is string work on the loop.
 */
final class RequestAdaptorFilter implements Filter {

	private final String host;

	private final PathAdaptor path;

	private final boolean rewritesPath;

	private final List<String> delete;

	private final Map<String, String> set;

	private final Map<String, String> add;

	RequestAdaptorFilter(RequestAdaptorSpec spec) {
		this.host = spec.host();
		this.path = PathAdaptor.of(spec.path());
		this.rewritesPath = spec.path() != null;
		RequestAdaptorSpec.HeaderSpec header = (spec.header() != null) ? spec.header()
				: new RequestAdaptorSpec.HeaderSpec(List.of(), Map.of(), Map.of());
		this.delete = header.del();
		this.set = header.set();
		this.add = header.add();
	}

	@Override
	public Mono<String> handle(FilterContext context) {
		BackendRequest backend = context.backendRequest();
		if (rewritesPath) {
			backend.pathAndQuery(path.adaptPathAndQuery(backend.pathAndQuery()));
		}
		if (!host.isEmpty()) {
			backend.host(host);
		}
		delete.forEach(backend::removeHeader);
		set.forEach(backend::setHeader);
		add.forEach(backend::addHeader);
		return Mono.just(CONTINUE);
	}
}
