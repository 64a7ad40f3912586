package io.wsgate.filter.adaptor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The options of a {@code RequestAdaptor} filter, Easegress's keys.
 *
 * @param host the Host sent to the backend ("" keeps the client's, or the server's with keepHost off)
 * @param path how the path sent to the backend is rewritten (null: kept); the query is always kept
 * @param header headers deleted, set and added, in that order (null: none)
 */
public record RequestAdaptorSpec(String host, @Nullable PathSpec path, @Nullable HeaderSpec header) {

	public RequestAdaptorSpec {
		host = (host != null) ? host.trim() : "";
	}

	/**
	 * Easegress's path adaptor: one operation applies, the first given of replace, addPrefix,
	 * trimPrefix and regexpReplace.
	 *
	 * @param replace the whole path
	 * @param addPrefix put before the path
	 * @param trimPrefix taken off the start of the path, when it starts with it
	 * @param regexpReplace every match replaced
	 */
	public record PathSpec(String replace, String addPrefix, String trimPrefix, @Nullable RegexpReplaceSpec regexpReplace) {

		public PathSpec {
			replace = (replace != null) ? replace : "";
			addPrefix = (addPrefix != null) ? addPrefix : "";
			trimPrefix = (trimPrefix != null) ? trimPrefix : "";
		}
	}

	/**
	 * @param regexp a Java regular expression matched against the raw path
	 * @param replace the replacement; {@code $1}, {@code ${1}}, {@code $name} name groups, {@code $$} is a $ (Go's syntax, as Easegress)
	 */
	public record RegexpReplaceSpec(String regexp, String replace) {

		public RegexpReplaceSpec {
			regexp = (regexp != null) ? regexp : "";
			replace = (replace != null) ? replace : "";
		}
	}

	/**
	 * @param del headers removed, the client's copies included
	 * @param set headers whose every value is replaced by this one
	 * @param add values added to a header, after its existing ones
	 */
	public record HeaderSpec(List<String> del, Map<String, String> set, Map<String, String> add) {

		public HeaderSpec {
			del = (del != null) ? List.copyOf(del) : List.of();
			// The YAML order is the order they are applied in.
			set = (set != null) ? Collections.unmodifiableMap(new LinkedHashMap<>(set)) : Map.of();
			add = (add != null) ? Collections.unmodifiableMap(new LinkedHashMap<>(add)) : Map.of();
		}
	}
}
