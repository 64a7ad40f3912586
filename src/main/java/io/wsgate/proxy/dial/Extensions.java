package io.wsgate.proxy.dial;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The part of the {@code Sec-WebSocket-Extensions} negotiation the gateway passes between client
 * and backend: permessage-deflate (RFC 7692) only. The gateway relays frames as they arrive, which
 * it can do for permessage-deflate (it changes payloads and RSV1 only, see {@link RawFrameReader})
 * but not for an extension it does not know, so other extensions are removed from the offer.
 */
public final class Extensions {

	static final String PERMESSAGE_DEFLATE = "permessage-deflate";

	private Extensions() {
	}

	/**
	 * The permessage-deflate elements of the client's offer, as written and in order (the client's
	 * preference), comma-separated; null when there is none.
	 *
	 * @param offered the client's Sec-WebSocket-Extensions header values
	 */
	public static @Nullable String deflateOffer(List<String> offered) {
		List<String> kept = new ArrayList<>();
		for (String value : offered) {
			for (String element : elements(value)) {
				if (name(element).equals(PERMESSAGE_DEFLATE)) {
					kept.add(element);
				}
			}
		}
		return kept.isEmpty() ? null : String.join(", ", kept);
	}

	/**
	 * What is wrong with a backend's answer; null when nothing. RFC 6455 (9.1) lets a server accept only
	 * extensions the client offered, and a client must fail the connection otherwise; RFC 7692 (5)
	 * lets it accept one permessage-deflate element. The parameters are the endpoints' business: the
	 * client checks them against its own offer.
	 *
	 * @param answer the backend's Sec-WebSocket-Extensions; null when none
	 * @param offer what the gateway offered it ({@link #deflateOffer}); null when nothing
	 */
	static @Nullable String answerFault(@Nullable String answer, @Nullable String offer) {
		List<String> accepted = (answer != null) ? elements(answer) : List.of();
		if (accepted.isEmpty()) {
			return null;
		}
		for (String element : accepted) {
			if (offer == null || !name(element).equals(PERMESSAGE_DEFLATE)) {
				return "the backend accepted extension '" + name(element) + "', which was not offered";
			}
		}
		if (accepted.size() > 1) {
			return "the backend accepted permessage-deflate " + accepted.size() + " times";
		}
		return null;
	}

	/** A header value's extension elements, trimmed: split at commas outside quoted strings. */
	static List<String> elements(String value) {
		List<String> elements = new ArrayList<>();
		boolean quoted = false;
		int start = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (quoted && c == '\\') {
				i++;
			}
			else if (c == '"') {
				quoted = !quoted;
			}
			else if (c == ',' && !quoted) {
				add(elements, value.substring(start, i));
				start = i + 1;
			}
		}
		add(elements, value.substring(start));
		return elements;
	}

	/** An element's extension name, lower case (its parameters follow a ';'). */
	static String name(String element) {
		int semicolon = element.indexOf(';');
		return ((semicolon < 0) ? element : element.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
	}

	private static void add(List<String> elements, String element) {
		String trimmed = element.trim();
		if (!trimmed.isEmpty()) {
			elements.add(trimmed);
		}
	}
}
