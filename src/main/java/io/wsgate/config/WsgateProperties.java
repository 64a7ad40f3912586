package io.wsgate.config;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Root of the gateway configuration ({@code wsgate.*}). Unknown keys are rejected at startup by
 * {@link UnknownKeys}, so a misspelt option is never silently ignored.
 *
 * @param httpServers listeners, each with its own port and routing rules
 * @param pipelines named pipelines that rules route to
 * @param demo the built-in demo echo backend (off unless enabled)
 * @param accessLog the access log of finished sessions
 */
@ConfigurationProperties(prefix = "wsgate")
public record WsgateProperties(List<HttpServerSpec> httpServers, List<PipelineSpec> pipelines, DemoSpec demo,
		AccessLogSpec accessLog) {

	public WsgateProperties {
		httpServers = Specs.list(httpServers);
		pipelines = Specs.list(pipelines);
		demo = (demo != null) ? demo : new DemoSpec(false, DemoSpec.DEFAULT_PORT);
		accessLog = (accessLog != null) ? accessLog : AccessLogSpec.DEFAULT;
	}

	/**
	 * The in-process echo backend used by the demo route.
	 *
	 * @param enabled start the echo backend (default false)
	 * @param port its port on 127.0.0.1 (default 12345, 0 = any free port)
	 */
	public record DemoSpec(boolean enabled, Integer port) {

		public static final int DEFAULT_PORT = 12345;

		public DemoSpec {
			port = (port != null) ? port : DEFAULT_PORT;
		}
	}
}
