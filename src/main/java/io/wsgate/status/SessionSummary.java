package io.wsgate.status;

import java.time.Duration;
import java.time.Instant;

/**
 * One finished handshake or session, as the access log and the status page report it. Holds no
 * header values and no query string, so no secret can leak through it.
 *
 * @param start when the request arrived
 * @param clientAddress the client's TCP peer address
 * @param host the request's Host header
 * @param path the request path, without its query
 * @param httpServer the http server that received it
 * @param pipeline the pipeline that handled it
 * @param pool the pool chosen, or "" when none was
 * @param server the backend server, or "" when none answered
 * @param subprotocol the subprotocol in use, or ""
 * @param status 101 for an upgraded session, else the HTTP status answered
 * @param outcome as the {@code outcome} tag of {@code wsgate.sessions}, or the result of the filter that refused
 * @param duration from the request to the end of the session
 * @param messagesUp messages from the client to the backend
 * @param bytesUp payload bytes from the client
 * @param messagesDown messages from the backend to the client
 * @param bytesDown payload bytes from the backend
 * @param closeCode the close code that ended the session (1006 for a lost connection), 0 if never upgraded
 * @param closedBy client, backend or gateway; "" if never upgraded
 * @param filter the filter that refused the handshake, "" when it was upgraded
 * @param reason why it was refused, in a few words and without secrets; "" when upgraded
 */
public record SessionSummary(Instant start, String clientAddress, String host, String path, String httpServer,
		String pipeline, String pool, String server, String subprotocol, int status, String outcome, Duration duration,
		long messagesUp, long bytesUp, long messagesDown, long bytesDown, int closeCode, String closedBy, String filter,
		String reason) {
}
