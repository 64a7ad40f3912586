package io.wsgate.status;

import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;

/**
 * The build as the status endpoint and the dashboard show it (the whole of it is in
 * {@code /actuator/info}).
 *
 * @param version the project's version, or null when the jar has no build-info.properties
 * @param commit the short commit id, or null when the jar was built without git information
 * @param time when the jar was built, or null
 */
public record BuildSummary(String version, String commit, String time) {

	/** From Boot's project info beans, either of which may be absent. */
	public static BuildSummary of(BuildProperties build, GitProperties git) {
		return new BuildSummary((build != null) ? build.getVersion() : null, (git != null) ? git.getShortCommitId() : null,
				(build != null && build.getTime() != null) ? build.getTime().toString() : null);
	}
}
