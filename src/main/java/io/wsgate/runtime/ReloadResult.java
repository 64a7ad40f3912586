package io.wsgate.runtime;

import java.time.Instant;
import java.util.List;

import io.wsgate.metrics.ReloadOutcome;

/**
 * What a reload did.
 *
 * @param outcome {@code applied}, {@code rejected}, or {@code unchanged} (the files say what is in force)
 * @param version the version in force after it
 * @param time when it was tried
 * @param problems why it was rejected, each with its key path (empty unless rejected)
 */
public record ReloadResult(String outcome, String version, Instant time, List<String> problems) {

	public static final String APPLIED = ReloadOutcome.APPLIED.tag();

	public static final String REJECTED = ReloadOutcome.REJECTED.tag();

	public static final String UNCHANGED = "unchanged";
}
