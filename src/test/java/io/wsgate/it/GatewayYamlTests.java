package io.wsgate.it;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The YAML the builder writes is the preamble the integration tests used to write by hand. */
class GatewayYamlTests {

	@Test
	void writesOneServerWhosePathsLeadToThePipelines() {
		String yaml = GatewayYaml.edge()
			.wsgate("limits: {maxSessionsPerClientIp: 3}")
			.serverKeys("handshakeTimeout: 500ms")
			.proxy("path: /small", "small", "ws://127.0.0.1:${backend}", "clientMaxMsgSize: 100")
			.proxyName("wsproxy")
			.proxy("pathPrefix: /plain", "plain", "ws://127.0.0.1:${backend}")
			.pipeline("path: /adapted", "adapted", """
					- {kind: RequestAdaptor, name: adaptor, path: {replace: /ws}}
					- kind: WebSocketProxy
					  name: wsproxy
					  pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]
					""")
			.build();

		assertThat(yaml).isEqualTo("""
				wsgate:
				  limits: {maxSessionsPerClientIp: 3}
				  http-servers:
				    - name: edge
				      port: 0
				      handshakeTimeout: 500ms
				      rules:
				        - paths:
				            - {path: /small, backend: small}
				            - {pathPrefix: /plain, backend: plain}
				            - {path: /adapted, backend: adapted}
				  pipelines:
				    - name: small
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}], clientMaxMsgSize: 100}]}
				    - name: plain
				      filters:
				        - {kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]}
				    - name: adapted
				      filters:
				        - {kind: RequestAdaptor, name: adaptor, path: {replace: /ws}}
				        - kind: WebSocketProxy
				          name: wsproxy
				          pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}]}]
				""");
	}

	@Test
	void aPipelineWithoutAPathHasNoRule() {
		String yaml = GatewayYaml.edge()
			.proxy("path: /ws", "routed", "ws://127.0.0.1:${backend}")
			.pipeline("checked", "- {kind: WebSocketProxy, name: p, pools: [{servers: [{url: \"ws://b\"}]}]}")
			.build();

		assertThat(yaml).contains("""
				        - paths:
				            - {path: /ws, backend: routed}
				  pipelines:
				""").contains("""
				    - name: checked
				      filters:
				        - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://b"}]}]}
				""").doesNotContain("backend: checked");
	}

	@Test
	void aPipelineMayHaveAFlow() {
		String yaml = GatewayYaml.edge()
			.pipeline("path: /ws", "limited", "[{filter: limiter}, {filter: p}]", "- {kind: RateLimiter, name: limiter}")
			.build();

		assertThat(yaml).contains("""
				    - name: limited
				      flow: [{filter: limiter}, {filter: p}]
				      filters:
				        - {kind: RateLimiter, name: limiter}
				""");
	}

	@Test
	void namesTheServerAsTold() {
		assertThat(GatewayYaml.server("gw").proxy("path: /ws", "p", "ws://b").build()).contains("    - name: gw\n");
	}
}
