package io.wsgate.config.easegress;

/** The seed's two Easegress objects (shared/seed/2.6.Websocket.md), verbatim, for the tests. */
public final class EasegressSeed {

	/** The seed's Pipeline object. */
	public static final String PIPELINE = """
			name: websocket-pipeline
			kind: Pipeline

			flow:
			- filter: wsproxy

			filters:
			- kind: WebSocketProxy
			  name: wsproxy
			  defaultOrigin: http://127.0.0.1/hello
			  pools:
			  - servers:
			    - url: ws://127.0.0.1:12345
			      # keepHost: true, the `Host` will be the same as the original request
			      # If the backend is a load balancer, it would prove to be highly beneficial
			      keepHost: true
			    - url: ws://127.0.0.1:9095
			    - url: ws://127.0.0.1:9096
			    - url: ws://127.0.0.1:9097
			    loadBalance:
			      policy: roundRobin
			    # the max number of bytes to read for a single message in 
			    # client/server connection.
			    # default is 32769, set -1 to disable limit.
			    clientMaxMsgSize: 32769
			    serverMaxMsgSize: 32769
			""";

	/** The seed's HTTPServer object. */
	public static final String HTTP_SERVER = """
			name: demo-server
			kind: HTTPServer
			port: 8080
			rules:
			- paths:
			  - path: /ws
			    clientMaxBodySize: -1          # REQUIRED!
			    backend: websocket-pipeline
			""";

	/** Both, as one multi-document file. */
	public static final String BOTH = PIPELINE + "---\n" + HTTP_SERVER;

	private EasegressSeed() {
	}
}
