package io.wsgate.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configuration most integration tests start the gateway with, written once: one http server on
 * port 0 whose rule sends each path to a pipeline, and the pipelines. A test adds only what is its own
 * (the paths, the pools' keys, the keys of the server or of {@code wsgate}), so that stays visible in
 * the test; anything else is written in full with {@link Gateway#start(String, Map)}.
 *
 * <pre>{@code
 * Gateway gateway = GatewayYaml.edge()
 *     .proxy("path: /small", "small", "ws://127.0.0.1:${backend}", "clientMaxMsgSize: 100")
 *     .start(Map.of("backend", backend.port()));
 * }</pre>
 *
 * writes
 *
 * <pre>
 * wsgate:
 *   http-servers:
 *     - name: edge
 *       port: 0
 *       rules:
 *         - paths:
 *             - {path: /small, backend: small}
 *   pipelines:
 *     - name: small
 *       filters:
 *         - {kind: WebSocketProxy, name: p, pools: [{servers: [{url: "ws://127.0.0.1:${backend}"}], clientMaxMsgSize: 100}]}
 * </pre>
 */
public final class GatewayYaml {

	private final String server;

	private final List<String> wsgateKeys = new ArrayList<>();

	private final List<String> serverKeys = new ArrayList<>();

	private final List<String> paths = new ArrayList<>();

	private final List<String> pipelines = new ArrayList<>();

	private String proxyName = "p";

	private GatewayYaml(String server) {
		this.server = server;
	}

	/** A config whose http server is named {@code edge}. */
	public static GatewayYaml edge() {
		return server("edge");
	}

	/** A config whose http server has this name. */
	public static GatewayYaml server(String name) {
		return new GatewayYaml(name);
	}

	/**
	 * Keys under {@code wsgate}, before the http servers.
	 *
	 * @param yaml block YAML as it stands under {@code wsgate}, e.g. {@code "limits: {maxSessionsPerClientIp: 3}"}
	 */
	public GatewayYaml wsgate(String yaml) {
		this.wsgateKeys.add(yaml);
		return this;
	}

	/**
	 * Keys of the http server, beside its name and port.
	 *
	 * @param yaml block YAML as it stands in the server, e.g. {@code "handshakeTimeout: 500ms"}
	 */
	public GatewayYaml serverKeys(String yaml) {
		this.serverKeys.add(yaml);
		return this;
	}

	/**
	 * The name of the {@code WebSocketProxy} filters that {@code proxy} adds from now on ({@code p} until set).
	 */
	public GatewayYaml proxyName(String name) {
		this.proxyName = name;
		return this;
	}

	/**
	 * A path to a pipeline of one {@code WebSocketProxy} with one pool of one server.
	 *
	 * @param path how the rule matches, e.g. {@code "path: /ws"} or {@code "pathPrefix: /chat"}
	 * @param pipeline the pipeline's name
	 * @param url the server's URL, with placeholders for the properties given to {@link #start(Map)}
	 * @param poolKeys further keys of the pool, flow style, e.g. {@code "clientMaxMsgSize: 100, idleTimeout: 1s"}
	 */
	public GatewayYaml proxy(String path, String pipeline, String url, String poolKeys) {
		String keys = poolKeys.isEmpty() ? "" : ", " + poolKeys;
		return pipeline(path, pipeline,
				"- {kind: WebSocketProxy, name: " + this.proxyName + ", pools: [{servers: [{url: \"" + url + "\"}]" + keys
						+ "}]}");
	}

	/** A path to a pipeline of one {@code WebSocketProxy} with one pool of one server, defaults otherwise. */
	public GatewayYaml proxy(String path, String pipeline, String url) {
		return proxy(path, pipeline, url, "");
	}

	/**
	 * A path to a pipeline with any filters.
	 *
	 * @param path how the rule matches, e.g. {@code "path: /ws"} or {@code "pathPrefix: /chat"}
	 * @param pipeline the pipeline's name
	 * @param filters the items of its {@code filters} list, block YAML starting with {@code - }
	 */
	public GatewayYaml pipeline(String path, String pipeline, String filters) {
		this.paths.add("{" + path + ", backend: " + pipeline + "}");
		return pipeline(pipeline, filters);
	}

	/**
	 * A path to a pipeline with any filters, run in the order {@code flow} gives.
	 *
	 * @param path how the rule matches, e.g. {@code "path: /ws"} or {@code "pathPrefix: /chat"}
	 * @param pipeline the pipeline's name
	 * @param flow the pipeline's {@code flow}, flow style, e.g. {@code "[{filter: limiter}, {filter: proxy}]"}
	 * @param filters the items of its {@code filters} list, block YAML starting with {@code - }
	 */
	public GatewayYaml pipeline(String path, String pipeline, String flow, String filters) {
		this.paths.add("{" + path + ", backend: " + pipeline + "}");
		this.pipelines.add("- name: " + pipeline + "\n  flow: " + flow + "\n  filters:\n" + indent(filters, 4));
		return this;
	}

	/**
	 * A pipeline that no path leads to (its pools are still health-checked, its meters still listed).
	 *
	 * @param pipeline the pipeline's name
	 * @param filters the items of its {@code filters} list, block YAML starting with {@code - }
	 */
	public GatewayYaml pipeline(String pipeline, String filters) {
		this.pipelines.add("- name: " + pipeline + "\n  filters:\n" + indent(filters, 4));
		return this;
	}

	/** The YAML text. */
	public String build() {
		StringBuilder yaml = new StringBuilder("wsgate:\n");
		this.wsgateKeys.forEach(keys -> yaml.append(indent(keys, 2)));
		yaml.append("  http-servers:\n");
		yaml.append("    - name: ").append(this.server).append('\n');
		yaml.append("      port: 0\n");
		this.serverKeys.forEach(keys -> yaml.append(indent(keys, 6)));
		yaml.append("      rules:\n");
		yaml.append("        - paths:\n");
		this.paths.forEach(path -> yaml.append("            - ").append(path).append('\n'));
		yaml.append("  pipelines:\n");
		this.pipelines.forEach(pipeline -> yaml.append(indent(pipeline, 4)));
		return yaml.toString();
	}

	/**
	 * Starts the gateway with this config.
	 *
	 * @param properties values of the placeholders (backend ports) and other properties
	 */
	public Gateway start(Map<String, Object> properties) {
		return Gateway.start(build(), properties);
	}

	private static String indent(String yaml, int spaces) {
		String margin = " ".repeat(spaces);
		StringBuilder indented = new StringBuilder();
		yaml.stripIndent().lines().forEach(line -> indented.append(line.isBlank() ? "" : margin + line).append('\n'));
		return indented.toString();
	}
}
