package io.wsgate.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What filters ask of the session a handshake opens, for the proxy to enforce while it relays:
 * a time to close it (a token's expiry), limits on the client's message rate, and a check of the
 * client's first message. Written by the filters of one handshake, one after the other; read by the
 * proxy once the flow reaches it.
 */
public final class SessionGuards {

	private @Nullable Instant closeAt;

	private @Nullable String closeReason;

	private final List<MessageRate> clientMessageRates = new ArrayList<>();

	private @Nullable FirstMessageCheck firstMessage;

	/** The filter running now (set by the pipeline), and the one that asked for the first-message check. */
	private String currentFilter = "";

	private String firstMessageFilter = "";

	/**
	 * Closes the session at {@code deadline}: 1008 (policy violation) to the client, 1001 to the
	 * backend. The earliest deadline asked for wins.
	 *
	 * @param reason the close reason sent to the client (no secret)
	 */
	public void closeAt(Instant deadline, String reason) {
		if (closeAt == null || deadline.isBefore(closeAt)) {
			closeAt = deadline;
			closeReason = reason;
		}
	}

	/** When the session must be closed; null: never. */
	public @Nullable Instant closeAt() {
		return closeAt;
	}

	public @Nullable String closeReason() {
		return closeReason;
	}

	/** Holds the client's messages to the backend to this rate (each limit asked for applies). */
	public void limitClientMessages(MessageRate rate) {
		clientMessageRates.add(rate);
	}

	public List<MessageRate> clientMessageRates() {
		return List.copyOf(clientMessageRates);
	}

	/** The client is upgraded first and its first message decides whether the session goes on. */
	public void checkFirstMessage(FirstMessageCheck check) {
		this.firstMessage = check;
		this.firstMessageFilter = currentFilter;
	}

	/** The name of the filter that asked for the first-message check ("" when none did): the access log names it. */
	public String firstMessageFilter() {
		return firstMessageFilter;
	}

	void currentFilter(String name) {
		this.currentFilter = name;
	}

	/** The first-message check; null when no filter asked for one. */
	public @Nullable FirstMessageCheck firstMessage() {
		return firstMessage;
	}

	/** Whether anything is asked of the session. */
	public boolean isEmpty() {
		return closeAt == null && clientMessageRates.isEmpty() && firstMessage == null;
	}

	/**
	 * A limit on the messages one side sends: a token bucket of {@code burst} messages refilled at
	 * {@code perSecond}.
	 *
	 * @param perSecond the sustained rate
	 * @param burst how many may come at once
	 * @param action what happens when the bucket is empty
	 * @param filter the name of the filter that asked for it, for close reasons and the log
	 */
	public record MessageRate(double perSecond, int burst, Action action, String filter) {

		/** What happens to a message over the rate. */
		public enum Action {
			/** Reading from the sender stops until the bucket refills: nothing is lost or reordered. */
			PAUSE,
			/** The session ends: 1008 to the sender, 1001 to the other side. */
			CLOSE
		}
	}

	/** Checks the client's first message after the upgrade (a token sent as a message). */
	public interface FirstMessageCheck {

		/** How long the client has to send it; then the session is closed with 1008. */
		Duration timeout();

		/** Whether the first message also goes to the backend. */
		boolean forward();

		/**
		 * Checks the text of the first message and, when it is valid, changes what the backend's
		 * handshake carries ({@code backend}) and what the session must enforce ({@code session}).
		 * Never blocks: completes empty when the message is valid, or with the reason it is not (no
		 * secret in it).
		 */
		Mono<String> check(String message, BackendRequest backend, SessionGuards session);
	}
}
