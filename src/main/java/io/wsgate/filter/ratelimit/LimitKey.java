package io.wsgate.filter.ratelimit;

import io.wsgate.pipeline.FilterContext;
import org.jspecify.annotations.Nullable;

/**
 * What a RateLimiter keeps a counter for, from its {@code key}: the client's address (behind
 * {@code trustedProxies}, the forwarded one), one counter for all, a header, or a claim a Validator
 * verified earlier in the flow. A handshake without the header or claim counts against one counter
 * shared by all such handshakes, so leaving it out escapes nothing.
 */
abstract sealed class LimitKey {

	/** The key of handshakes that lack the header or claim. */
	static final String MISSING = "";

	/** The attribute under which a Validator leaves a verified claim: this prefix and the claim's name. */
	static final String CLAIM_ATTRIBUTE_PREFIX = "claim.";

	/** The key of {@code context}'s handshake. */
	abstract String of(FilterContext context);

	/** The key for a {@code key} option; null when it is none of the known forms. */
	static @Nullable LimitKey parse(String key) {
		if (key.equals("clientIp")) {
			return new ClientIp();
		}
		if (key.equals("global")) {
			return new Global();
		}
		if (key.startsWith("header:") && key.length() > "header:".length()) {
			return new Header(key.substring("header:".length()));
		}
		if (key.startsWith("claim:") && key.length() > "claim:".length()) {
			return new Claim(CLAIM_ATTRIBUTE_PREFIX + key.substring("claim:".length()));
		}
		return null;
	}

	static final class ClientIp extends LimitKey {

		@Override
		String of(FilterContext context) {
			return context.info().clientIp();
		}
	}

	static final class Global extends LimitKey {

		@Override
		String of(FilterContext context) {
			return MISSING;
		}
	}

	/**
	 * A header's value: the one an earlier filter set as an identity header (a Validator's
	 * {@code claimsToHeaders}: the client cannot forge it), else the client's.
	 */
	static final class Header extends LimitKey {

		private final String name;

		Header(String name) {
			this.name = name;
		}

		@Override
		String of(FilterContext context) {
			for (var identity : context.backendRequest().identityHeaders().entrySet()) {
				if (identity.getKey().equalsIgnoreCase(name)) {
					return identity.getValue();
				}
			}
			return context.info().header(name);
		}
	}

	/** A claim a Validator verified and left in the context's attributes as {@code claim.<name>}. */
	static final class Claim extends LimitKey {

		private final String attribute;

		Claim(String attribute) {
			this.attribute = attribute;
		}

		@Override
		String of(FilterContext context) {
			Object value = context.attributes().get(attribute);
			return (value != null) ? value.toString() : MISSING;
		}
	}
}
