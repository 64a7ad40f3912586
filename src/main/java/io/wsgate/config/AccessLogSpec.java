package io.wsgate.config;

/**
 * The access log ({@code wsgate.access-log}): one line per finished session on the logger
 * {@code wsgate.access}.
 *
 * @param enabled on by default
 * @param format {@code kv} (key=value pairs, default) or {@code json}
 */
public record AccessLogSpec(Boolean enabled, String format) {

	public static final AccessLogSpec DEFAULT = new AccessLogSpec(null, null);

	public AccessLogSpec {
		enabled = !Boolean.FALSE.equals(enabled);
		format = (format != null && !format.isBlank()) ? format : Format.KV.spelling();
	}

	/** The format {@code format} names, or null when it names none (a problem of the validator). */
	public Format parsedFormat() {
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
