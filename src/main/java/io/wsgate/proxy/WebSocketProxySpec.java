package io.wsgate.proxy;

import java.util.List;

import io.wsgate.config.PoolSpec;
import io.wsgate.config.Spelled;
import org.jspecify.annotations.Nullable;

/**
 * The options of a {@code WebSocketProxy} filter: the keys beside its {@code kind} and {@code name}.
 *
 * @param defaultOrigin {@code Origin} sent to the backend when the client sent none
 * @param pools server pools; exactly one without {@code filter}
 * @param compression {@code passthrough} (the default, when empty): the client's permessage-deflate
 * offer goes to the backend and its answer comes back; {@code off}: never negotiated
 */
public record WebSocketProxySpec(String defaultOrigin, List<PoolSpec> pools, String compression) {

	public WebSocketProxySpec {
		defaultOrigin = (defaultOrigin != null) ? defaultOrigin : "";
		pools = (pools != null) ? List.copyOf(pools) : List.of();
		compression = (compression != null) ? compression : "";
	}

	/** The setting {@code compression} names (null: it names none, a problem of the validator). */
	public @Nullable Compression parsedCompression() {
		// YAML 1.1 (Spring's and Helm's parsers) reads an unquoted off as the boolean false, bound as "false".
		if (compression.isEmpty()) {
			return Compression.PASSTHROUGH;
		}
		return compression.equalsIgnoreCase("false") ? Compression.OFF : Spelled.parse(Compression.class, compression);
	}

	/** The values of {@code compression}. */
	public enum Compression implements Spelled {

		/** The client's permessage-deflate offer goes to the backend and its answer comes back. */
		PASSTHROUGH("passthrough"),

		/** permessage-deflate is never negotiated. */
		OFF("off");

		private final String spelling;

		Compression(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}
}
