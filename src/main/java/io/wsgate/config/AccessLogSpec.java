package io.wsgate.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The access log ({@code wsgate.access-log}): one line per finished session on the logger
 * {@code wsgate.access}.
 *
 * @param enabled on by default
 * @param format {@code kv} (key=value pairs, default) or {@code json}
 */
public record AccessLogSpec(@DefaultValue("true") boolean enabled, @DefaultValue(AccessLogSpec.DEFAULT_FORMAT) String format) {

	/** The format when none is given, or a blank one. */
	static final String DEFAULT_FORMAT = "kv";

	public AccessLogSpec {
		format = format.isBlank() ? DEFAULT_FORMAT : format;
	}

	/** The format {@code format} names (null: it names none, a problem of the validator). */
	public @Nullable Format parsedFormat() {
		return Spelled.parse(Format.class, format);
	}

	/** The values of {@code access-log.format}. */
	public enum Format implements Spelled {

		KV("kv"), JSON("json");

		private final String spelling;

		Format(String spelling) {
			this.spelling = spelling;
		}

		@Override
		public String spelling() {
			return spelling;
		}
	}
}
