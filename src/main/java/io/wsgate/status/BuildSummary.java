package io.wsgate.status;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;

/**
 * The build as the status endpoint and the dashboard show it (the whole of it is in
 * {@code /actuator/info}).
 *
 * @param version the project's version; null when the jar has no build-info.properties
 * @param commit the short commit id; null when the jar was built without git information
 * @param time when the jar was built; null when unknown
 */
public record BuildSummary(@Nullable String version, @Nullable String commit, @Nullable String time) {

	/** From Boot's project info beans, either of which may be absent. */
	public static BuildSummary of(@Nullable BuildProperties build, @Nullable GitProperties git) {
		Instant built = (build != null) ? build.getTime() : null;
		return new BuildSummary((build != null) ? build.getVersion() : null, (git != null) ? git.getShortCommitId() : null,
				(built != null) ? built.toString() : null);
	}
}
