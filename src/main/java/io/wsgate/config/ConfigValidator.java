package io.wsgate.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

import io.wsgate.config.HttpServerSpec.HeaderRuleSpec;
import io.wsgate.config.HttpServerSpec.PathSpec;
import io.wsgate.config.HttpServerSpec.RuleSpec;
import io.wsgate.config.PipelineSpec.FlowNodeSpec;
import io.wsgate.request.IpRanges;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.ResourceLoader;

/**
 * Checks the whole configuration once at startup and reports every problem with its key path,
 * so a bad config never becomes a runtime surprise. Filter options are checked by their kind.
 */
public final class ConfigValidator {

	/** The flow target that ends the pipeline. */
	public static final String END = "END";

	/** The methods a route or candidate pool may name. */
	public static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT",
			"OPTIONS", "TRACE");

	/** Why a bundle excludes PEM locations, for listeners and pools alike. */
	public static final String BUNDLE_CARRIES = "a bundle carries its own key and trusted CAs";

	private static final ResourceLoader RESOURCES = new DefaultResourceLoader();

	private final FilterKindCatalog kinds;

	private final Collection<String> sslBundles;

	/** A validator for a gateway that defines no SSL bundles. */
	public ConfigValidator(FilterKindCatalog kinds) {
		this(kinds, List.of());
	}

	/**
	 * @param kinds the filter kinds
	 * @param sslBundles the names of the {@code spring.ssl.bundle.*} bundles that a {@code tls.bundle} may name
	 */
	public ConfigValidator(FilterKindCatalog kinds, Collection<String> sslBundles) {
		this.kinds = kinds;
		this.sslBundles = sslBundles;
	}

	/**
	 * Throws {@link InvalidConfigException} listing every problem found, including keys of
	 * {@code sources} that no spec has.
	 */
	public void validate(WsgateProperties properties, Iterable<ConfigurationPropertySource> sources) {
		validate(properties, sources, new Binder(sources));
	}

	/**
	 * Throws {@link InvalidConfigException} listing every problem found, including keys of
	 * {@code sources} that no spec has.
	 *
	 * @param binder binds each filter's options to its kind's spec (the application's, with its
	 * placeholders)
	 */
	public void validate(WsgateProperties properties, Iterable<ConfigurationPropertySource> sources, Binder binder) {
		validate(properties, sources, binder, ExtraObjects.NONE);
	}

	/**
	 * Throws {@link InvalidConfigException} listing every problem found, including keys of
	 * {@code sources} that no spec has, the problems met reading {@code extra}, and those of its
	 * objects, validated with {@code wsgate.*}'s by the same rules (a name used in both is a problem).
	 *
	 * @param binder binds each filter's options to its kind's spec (the application's, with its
	 * placeholders)
	 * @param extra http servers and pipelines defined in other files (Easegress objects)
	 */
	public void validate(WsgateProperties properties, Iterable<ConfigurationPropertySource> sources, Binder binder,
			ExtraObjects extra) {
		ConfigProblems problems = new ConfigProblems();
		UnknownKeys.check(sources, kinds, problems);
		extra.problems().forEach(problems::addLine);
		List<Defined<PipelineSpec>> pipelines = new ArrayList<>(Defined.of(properties.pipelines(), "wsgate.pipelines", binder));
		pipelines.addAll(extra.pipelines());
		List<Defined<HttpServerSpec>> servers = new ArrayList<>(Defined.of(properties.httpServers(), "wsgate.http-servers", binder));
		servers.addAll(extra.httpServers());
		Stream.concat(pipelines.stream(), servers.stream())
			.filter(defined -> defined.label() != null)
			.forEach(defined -> problems.label(defined.path(), defined.label()));
		Set<String> pipelineNames = validatePipelines(pipelines, problems);
		validateHttpServers(servers, pipelineNames, problems);
		if (properties.accessLog().parsedFormat() == null) {
			problems.add("wsgate.access-log.format", "'" + properties.accessLog().format() + "' (expected: kv or json)");
		}
		if (properties.limits().maxSessions() < 0) {
			problems.add("wsgate.limits.maxSessions", "must not be negative (0 = unlimited)");
		}
		if (properties.limits().maxSessionsPerClientIp() < 0) {
			problems.add("wsgate.limits.maxSessionsPerClientIp", "must not be negative (0 = unlimited)");
		}
		if (properties.shutdown().drainPeriod().isNegative()) {
			problems.add("wsgate.shutdown.drainPeriod", "must not be negative");
		}
		if (properties.reload().parsedRemovedServers() == null) {
			problems.add("wsgate.reload.removedServers", "'" + properties.reload().removedServers() + "' (expected: keep or drain)");
		}
		if (properties.warmup().sessions() < 1) {
			problems.add("wsgate.warmup.sessions", "must be at least 1");
		}
		if (properties.warmup().concurrency() < 1) {
			problems.add("wsgate.warmup.concurrency", "must be at least 1");
		}
		if (properties.warmup().maxDuration().isNegative() || properties.warmup().maxDuration().isZero()) {
			problems.add("wsgate.warmup.maxDuration", "must be positive");
		}
		if (properties.demo().port() < 0 || properties.demo().port() > 65535) {
			problems.add("wsgate.demo.port", "must be between 0 and 65535");
		}
		problems.throwIfAny();
	}

	private void validateHttpServers(List<Defined<HttpServerSpec>> servers, Set<String> pipelineNames,
			ConfigProblems problems) {
		Set<String> names = new HashSet<>();
		Set<String> endpoints = new HashSet<>();
		for (Defined<HttpServerSpec> defined : servers) {
			HttpServerSpec server = defined.spec();
			String path = defined.path();
			if (server.name().isBlank()) {
				problems.add(path + ".name", "is required");
			}
			else if (!names.add(server.name())) {
				problems.add(path + ".name", "duplicate http server name '" + server.name() + "'");
			}
			checkKind(server.kind(), HttpServerSpec.KIND, path + ".kind", problems);
			if (server.port() == null) {
				problems.add(path + ".port", "is required");
			}
			else if (server.port() < 0 || server.port() > 65535) {
				problems.add(path + ".port", server.port() + " (expected: 0..65535)");
			}
			else if (server.port() != 0 && !endpoints.add(server.address() + ":" + server.port())) {
				problems.add(path + ".port", "port " + server.port() + " is used by another http server");
			}
			if (server.handshakeTimeout().isNegative() || server.handshakeTimeout().isZero()) {
				problems.add(path + ".handshakeTimeout", "must be positive");
			}
			if (server.maxHeaderSize().toBytes() < 1024 || server.maxHeaderSize().toBytes() > Integer.MAX_VALUE) {
				problems.add(path + ".maxHeaderSize", server.maxHeaderSize() + " (expected: 1KB or more)");
			}
			if (server.maxConnections() < 0) {
				problems.add(path + ".maxConnections", "must not be negative (0 = unlimited)");
			}
			validateTls(server.tls(), path + ".tls", problems);
			checkIpRanges(server.trustedProxies(), path + ".trustedProxies", problems);
			checkIpFilter(server.ipFilter(), path + ".ipFilter", problems);
			for (int r = 0; r < server.rules().size(); r++) {
				validateRule(server.rules().get(r), path + ".rules[" + r + "]", pipelineNames, problems);
			}
		}
	}

	private void validateTls(HttpServerSpec.@Nullable TlsSpec tls, String path, ConfigProblems problems) {
		if (tls == null) {
			return;
		}
		if (tls.bundle().isEmpty() && (tls.cert().isEmpty() || tls.key().isEmpty())) {
			problems.add(path, "set bundle, or cert and key");
		}
		else if (!tls.bundle().isEmpty() && !(tls.cert() + tls.key() + tls.clientCa()).isEmpty()) {
			// The listener would take the bundle and silently drop the PEM locations.
			problems.add(path, "set bundle or cert/key/clientCa, not both: " + BUNDLE_CARRIES);
		}
		checkSslBundle(tls.bundle(), sslBundles, path + ".bundle", problems);
		if (tls.parsedClientAuth() == null) {
			problems.add(path + ".clientAuth", "'" + tls.clientAuth() + "' (expected: none, want or need)");
		}
		for (String location : List.of(tls.cert(), tls.key(), tls.clientCa())) {
			// PEM text itself (from an Easegress object's certs) is no location.
			if (!location.isEmpty() && !isPem(location) && !RESOURCES.getResource(location).exists()) {
				problems.add(path, "'" + location + "' does not exist");
			}
		}
	}

	/** Whether a TLS value is PEM text rather than the location of a PEM file (Spring Boot takes both). */
	public static boolean isPem(String value) {
		return value.strip().startsWith("-----BEGIN ");
	}

	private static void checkIpFilter(@Nullable IpFilterSpec filter, String path, ConfigProblems problems) {
		if (filter != null) {
			checkIpRanges(filter.allowIPs(), path + ".allowIPs", problems);
			checkIpRanges(filter.blockIPs(), path + ".blockIPs", problems);
		}
	}

	/** Each entry must be an IP address or a CIDR range (never a name: nothing is resolved). */
	private static void checkIpRanges(List<String> entries, String path, ConfigProblems problems) {
		for (int i = 0; i < entries.size(); i++) {
			try {
				IpRanges.of(List.of(entries.get(i)));
			}
			catch (IllegalArgumentException ex) {
				problems.add(path + "[" + i + "]", String.valueOf(ex.getMessage()));
			}
		}
	}

	private void validateRule(RuleSpec rule, String path, Set<String> pipelineNames, ConfigProblems problems) {
		String host = rule.host();
		int stars = host.length() - host.replace("*", "").length();
		if (stars > 1 || (stars == 1 && !host.startsWith("*") && !host.endsWith("*"))) {
			problems.add(path + ".host", "'" + host + "' (expected: exact host, or one leading or trailing '*')");
		}
		checkIpFilter(rule.ipFilter(), path + ".ipFilter", problems);
		if (rule.paths().isEmpty()) {
			problems.add(path + ".paths", "at least one path is required");
		}
		for (int p = 0; p < rule.paths().size(); p++) {
			validatePath(rule.paths().get(p), path + ".paths[" + p + "]", pipelineNames, problems);
		}
	}

	private void validatePath(PathSpec spec, String path, Set<String> pipelineNames, ConfigProblems problems) {
		int forms = (spec.path().isEmpty() ? 0 : 1) + (spec.pathPrefix().isEmpty() ? 0 : 1)
				+ (spec.pathRegexp().isEmpty() ? 0 : 1);
		if (forms > 1) {
			problems.add(path, "set only one of path, pathPrefix and pathRegexp");
		}
		checkRegex(spec.pathRegexp(), path + ".pathRegexp", problems);
		checkIpFilter(spec.ipFilter(), path + ".ipFilter", problems);
		for (int m = 0; m < spec.methods().size(); m++) {
			if (!HTTP_METHODS.contains(spec.methods().get(m).toUpperCase(Locale.ROOT))) {
				problems.add(path + ".methods[" + m + "]", "'" + spec.methods().get(m) + "' is not an HTTP method");
			}
		}
		for (int h = 0; h < spec.headers().size(); h++) {
			HeaderRuleSpec header = spec.headers().get(h);
			String headerPath = path + ".headers[" + h + "]";
			if (header.key().isBlank()) {
				problems.add(headerPath + ".key", "is required");
			}
			if (header.values().isEmpty() && header.regexp().isEmpty()) {
				problems.add(headerPath, "set values or regexp");
			}
			checkRegex(header.regexp(), headerPath + ".regexp", problems);
		}
		if (spec.backend().isBlank()) {
			problems.add(path + ".backend", "is required (the name of a pipeline)");
		}
		else if (!pipelineNames.contains(spec.backend())) {
			problems.add(path + ".backend", "unknown pipeline '" + spec.backend() + "'");
		}
	}

	private Set<String> validatePipelines(List<Defined<PipelineSpec>> pipelines, ConfigProblems problems) {
		Set<String> names = new HashSet<>();
		for (Defined<PipelineSpec> defined : pipelines) {
			PipelineSpec pipeline = defined.spec();
			String path = defined.path();
			if (pipeline.name().isBlank()) {
				problems.add(path + ".name", "is required");
			}
			else if (!names.add(pipeline.name())) {
				problems.add(path + ".name", "duplicate pipeline name '" + pipeline.name() + "'");
			}
			checkKind(pipeline.kind(), PipelineSpec.KIND, path + ".kind", problems);
			validatePipeline(pipeline, path, defined.binder(), problems);
		}
		return names;
	}

	private void validatePipeline(PipelineSpec pipeline, String path, Binder binder, ConfigProblems problems) {
		if (pipeline.filters().isEmpty()) {
			problems.add(path + ".filters", "at least one filter is required");
		}
		Map<String, String> kindByName = new java.util.HashMap<>();
		for (int f = 0; f < pipeline.filters().size(); f++) {
			FilterSpec filter = pipeline.filters().get(f);
			String filterPath = path + ".filters[" + f + "]";
			if (filter.name().isBlank()) {
				problems.add(filterPath + ".name", "is required");
			}
			else if (kindByName.putIfAbsent(filter.name(), filter.kind()) != null) {
				problems.add(filterPath + ".name", "duplicate filter name '" + filter.name() + "'");
			}
			if (filter.kind().isBlank()) {
				problems.add(filterPath + ".kind", "is required");
			}
			else if (!kinds.exists(filter.kind())) {
				problems.add(filterPath + ".kind", "unknown filter kind '" + filter.kind() + "'");
			}
			else {
				validateOptions(filter.kind(), filterPath, binder, problems);
			}
		}
		List<FlowNodeSpec> flow = pipeline.flow();
		for (int n = 0; n < flow.size(); n++) {
			FlowNodeSpec node = flow.get(n);
			String nodePath = path + ".flow[" + n + "]";
			String kind = kindByName.get(node.filter());
			if (kind == null) {
				problems.add(nodePath + ".filter", "no filter named '" + node.filter() + "' in this pipeline");
				continue;
			}
			for (Map.Entry<String, String> jump : node.jumpIf().entrySet()) {
				String jumpPath = nodePath + ".jumpIf." + jump.getKey();
				if (kinds.exists(kind) && !kinds.results(kind).contains(jump.getKey())) {
					problems.add(jumpPath, "'" + jump.getKey() + "' is not a result of " + kind + " (expected one of "
							+ new java.util.TreeSet<>(kinds.results(kind)) + ")");
				}
				String target = jump.getValue();
				boolean later = flow.subList(n + 1, flow.size()).stream().anyMatch(f -> f.filter().equals(target));
				if (!END.equals(target) && !later) {
					problems.add(jumpPath, "target '" + target + "' must be a later filter of the flow or END");
				}
			}
		}
	}

	/**
	 * Adds a problem when {@code name} is non-empty and none of the {@code known} bundles: the
	 * listener or the client would otherwise fail only when it is built.
	 *
	 * @return whether the name is empty or known
	 */
	public static boolean checkSslBundle(String name, Collection<String> known, String path, ConfigProblems problems) {
		if (name.isEmpty() || known.contains(name)) {
			return true;
		}
		problems.add(path, "no SSL bundle named '" + name + "' " + (known.isEmpty() ? "(no spring.ssl.bundle is defined)"
				: "(defined: " + String.join(", ", new TreeSet<>(known)) + ")"));
		return false;
	}

	/** The kind line is optional; when given, it must name the object the list holds. */
	private static void checkKind(String kind, String expected, String path, ConfigProblems problems) {
		if (!kind.isEmpty() && !kind.equals(expected)) {
			problems.add(path, "'" + kind + "' (expected: " + expected + ", or no kind)");
		}
	}

	/** Binds a filter's options to its kind's spec and has the kind check them; the kind exists. */
	private void validateOptions(String kind, String path, Binder binder, ConfigProblems problems) {
		Object spec;
		try {
			spec = FilterOptions.bind(binder, path, Objects.requireNonNull(kinds.specType(kind), kind));
		}
		catch (BindException ex) {
			String[] problem = FilterOptions.describe(ex, path);
			problems.add(problem[0], problem[1]);
			return;
		}
		kinds.validate(kind, spec, path, problems);
	}

	/** Adds a problem when {@code regex} is non-empty and does not compile. */
	public static void checkRegex(String regex, String path, ConfigProblems problems) {
		if (regex.isEmpty()) {
			return;
		}
		try {
			Pattern.compile(regex);
		}
		catch (PatternSyntaxException ex) {
			problems.add(path, "invalid regular expression '" + regex + "': " + ex.getDescription());
		}
	}
}
