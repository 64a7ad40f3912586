package io.wsgate.config;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Root of the gateway configuration ({@code wsgate.*}). Unknown keys are rejected at startup by
 * {@link UnknownKeys}, so a misspelt option is never silently ignored.
 *
 * @param httpServers listeners, each with its own port and routing rules
 * @param pipelines named pipelines that rules route to
 * @param demo the built-in demo echo backend (off unless enabled)
 * @param accessLog the access log of finished sessions
 * @param limits gateway-wide session limits
 * @param shutdown graceful shutdown
 * @param reload live configuration: reloading the config files while running
 * @param easegress Easegress objects read from files, beside the http servers and pipelines above
 * @param warmup the self warm-up before readiness
 */
@ConfigurationProperties(prefix = "wsgate")
public record WsgateProperties(List<HttpServerSpec> httpServers, List<PipelineSpec> pipelines, @DefaultValue DemoSpec demo,
		@DefaultValue @NestedConfigurationProperty AccessLogSpec accessLog, @DefaultValue LimitsSpec limits,
		@DefaultValue ShutdownSpec shutdown, @DefaultValue ReloadSpec reload, @DefaultValue EasegressSpec easegress,
		@DefaultValue WarmupSpec warmup) {

	public WsgateProperties {
		httpServers = Specs.list(httpServers);
		pipelines = Specs.list(pipelines);
	}

	/**
	 * Live configuration ({@code wsgate.reload}). {@code POST /actuator/wsgate/reload} applies the
	 * config files whether or not {@code enabled} is set.
	 *
	 * @param enabled watch the config files Spring loaded (and a Kubernetes ConfigMap mount) and apply
	 * them when they change (default false)
	 * @param removedServers what happens to the sessions on a server, or an http server, that a reload
	 * removed: {@code keep} (default) lets them run on, {@code drain} closes them with 1001 after
	 * {@code shutdown.drainPeriod}
	 */
	public record ReloadSpec(@DefaultValue("false") boolean enabled, @DefaultValue("keep") String removedServers) {

		/** The setting {@code removedServers} names (null: it names none, a problem of the validator). */
		public @Nullable RemovedServers parsedRemovedServers() {
			return Spelled.parse(RemovedServers.class, removedServers);
		}

		/** Whether sessions on removed servers are closed after the drain period. */
		public boolean drainsRemovedServers() {
			return parsedRemovedServers() == RemovedServers.DRAIN;
		}

		/** The values of {@code reload.removedServers}. */
		public enum RemovedServers implements Spelled {

			KEEP("keep"), DRAIN("drain");

			private final String spelling;

			RemovedServers(String spelling) {
				this.spelling = spelling;
			}

			@Override
			public String spelling() {
				return spelling;
			}
		}
	}

	/**
	 * Easegress objects kept in their own files ({@code wsgate.easegress}).
	 *
	 * @param files locations ({@code file:}) of YAML files, or of folders whose {@code *.yaml} and
	 * {@code *.yml} files are read in name order, holding {@code kind: HTTPServer} and
	 * {@code kind: Pipeline} objects (several per file, as YAML documents)
	 */
	public record EasegressSpec(List<String> files) {

		public EasegressSpec {
			files = Specs.list(files);
		}
	}

	/**
	 * Gateway-wide limits ({@code wsgate.limits}); 0 = unlimited.
	 *
	 * @param maxSessions most concurrent sessions of the whole gateway (over it: 503)
	 * @param maxSessionsPerClientIp most concurrent sessions of one client address (over it: 429)
	 * @param retryAfter the {@code Retry-After} sent with those answers (default 5s)
	 */
	public record LimitsSpec(@DefaultValue("0") int maxSessions, @DefaultValue("0") int maxSessionsPerClientIp,
			@DefaultValue("5s") Duration retryAfter) {

		/** The limits when none are configured. */
		public static LimitsSpec defaults() {
			return Specs.defaults(LimitsSpec.class);
		}
	}

	/**
	 * Graceful shutdown ({@code wsgate.shutdown}).
	 *
	 * @param drainPeriod how long open sessions may go on after the listeners stopped accepting, before
	 * they are closed with 1001 (default 10s)
	 */
	public record ShutdownSpec(@DefaultValue("10s") Duration drainPeriod) {
	}

	/**
	 * The self warm-up ({@code wsgate.warmup}): before the gateway reports ready, it opens sessions
	 * through its own handshake path, over loopback, to an echo backend of its own, so that a fresh
	 * process meets its first clients with that path compiled. Readiness stays down until it is done.
	 *
	 * @param enabled warm up before readiness (default false)
	 * @param sessions the sessions to open, each echoing a text and a binary message, then closed (default 20000)
	 * @param concurrency the sessions in flight at once (default 64)
	 * @param maxDuration the longest the warm-up may take: readiness waits no longer (default 60s)
	 */
	public record WarmupSpec(@DefaultValue("false") boolean enabled, @DefaultValue("20000") int sessions,
			@DefaultValue("64") int concurrency, @DefaultValue("60s") Duration maxDuration) {
	}

	/**
	 * The in-process echo backend used by the demo route.
	 *
	 * @param enabled start the echo backend (default false)
	 * @param port its port on 127.0.0.1 (default 12345, 0 = any free port)
	 */
	public record DemoSpec(@DefaultValue("false") boolean enabled, @DefaultValue("12345") int port) {
	}
}
