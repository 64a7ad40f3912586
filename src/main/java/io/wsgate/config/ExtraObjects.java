package io.wsgate.config;

import java.util.List;

/**
 * Http servers and pipelines defined beside {@code wsgate.*}, in other files (Easegress objects),
 * with the problems met reading them. They join {@code wsgate.http-servers} and
 * {@code wsgate.pipelines} and are validated by the same rules.
 */
public interface ExtraObjects {

	/** None. */
	ExtraObjects NONE = new ExtraObjects() {

		@Override
		public List<Defined<HttpServerSpec>> httpServers() {
			return List.of();
		}

		@Override
		public List<Defined<PipelineSpec>> pipelines() {
			return List.of();
		}

		@Override
		public List<String> problems() {
			return List.of();
		}
	};

	List<Defined<HttpServerSpec>> httpServers();

	List<Defined<PipelineSpec>> pipelines();

	/** Problems met reading them, each {@code <key path>: <what is wrong>}. */
	List<String> problems();
}
