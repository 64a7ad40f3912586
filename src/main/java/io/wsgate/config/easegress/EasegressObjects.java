package io.wsgate.config.easegress;

import java.util.List;

import io.wsgate.config.Defined;
import io.wsgate.config.ExtraObjects;
import io.wsgate.config.HttpServerSpec;
import io.wsgate.config.PipelineSpec;

/**
 * What {@link EasegressLoader} read: the http servers and pipelines of the Easegress files, each
 * with its label ({@code easegress file <path>, <kind> '<name>'}) and the binder of its filters'
 * options, and the problems met, each {@code <where>: <what is wrong>}. Objects are given even when
 * there are problems; with any problem, the configuration must not be applied.
 *
 * @param httpServers the {@code kind: HTTPServer} objects, in file and document order
 * @param pipelines the {@code kind: Pipeline} objects, in file and document order
 * @param problems the problems met: unreadable locations, bad YAML, other kinds, keys that wsgate
 * does not support, values of the wrong type
 * @param files the files read, in order (what a reload should watch)
 */
public record EasegressObjects(List<Defined<HttpServerSpec>> httpServers, List<Defined<PipelineSpec>> pipelines,
		List<String> problems, List<String> files) implements ExtraObjects {

	/** No Easegress files. */
	public static final EasegressObjects NONE = new EasegressObjects(List.of(), List.of(), List.of(), List.of());

	public EasegressObjects {
		httpServers = List.copyOf(httpServers);
		pipelines = List.copyOf(pipelines);
		problems = List.copyOf(problems);
		files = List.copyOf(files);
	}

	/** The http server specs alone. */
	public List<HttpServerSpec> httpServerSpecs() {
		return Defined.specs(httpServers);
	}
}
