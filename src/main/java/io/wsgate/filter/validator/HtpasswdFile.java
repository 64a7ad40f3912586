package io.wsgate.filter.validator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The users of an htpasswd file ({@code user:hash} lines), re-read when the file changes: its
 * modification time and size are looked at, at most once per {@code checkInterval}. Reading is
 * blocking file I/O: call {@link #users()} off the event loop. A file that cannot be read after
 * startup leaves the users last read in place (logged once per failure, not per request).
 */
final class HtpasswdFile {

	private static final Log logger = LogFactory.getLog(HtpasswdFile.class);

	private final Path path;

	private final long checkIntervalNanos;

	private volatile Snapshot snapshot;

	private volatile long nextCheck;

	private boolean failing;

	/** Reads the file now (at startup). @throws IOException when it cannot be read */
	HtpasswdFile(Path path, Duration checkInterval) throws IOException {
		this.path = path;
		this.checkIntervalNanos = checkInterval.toNanos();
		this.snapshot = read(path);
		this.nextCheck = System.nanoTime() + checkIntervalNanos;
	}

	/** The users and their hashes: the file's current content, checked at most once per interval. */
	Map<String, String> users() {
		if (System.nanoTime() - nextCheck >= 0) {
			refresh();
		}
		return snapshot.users();
	}

	private synchronized void refresh() {
		long now = System.nanoTime();
		if (now - nextCheck < 0) {
			return;
		}
		nextCheck = now + checkIntervalNanos;
		try {
			BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
			if (!attributes.lastModifiedTime().equals(snapshot.modified()) || attributes.size() != snapshot.size()) {
				snapshot = read(path);
				logger.info("Re-read " + path + ": " + snapshot.users().size() + " users");
			}
			failing = false;
		}
		catch (IOException ex) {
			if (!failing) {
				logger.warn("Cannot read " + path + " (" + ex.getClass().getSimpleName()
						+ "); the users read before stay in use");
			}
			failing = true;
		}
	}

	private static Snapshot read(Path path) throws IOException {
		BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
		List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
		Map<String, String> users = new HashMap<>();
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i).trim();
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			int colon = line.indexOf(':');
			String hash = (colon > 0) ? line.substring(colon + 1) : "";
			if (!PasswordHashes.isSupported(hash)) {
				// Only the line number: the line holds a password hash, or a plain password.
				logger.warn(path + " line " + (i + 1) + ": not user:hash with a bcrypt, {SHA} or $apr1$ hash; ignored");
				continue;
			}
			users.put(line.substring(0, colon), hash);
		}
		return new Snapshot(Map.copyOf(users), attributes.lastModifiedTime(), attributes.size());
	}

	private record Snapshot(Map<String, String> users, FileTime modified, long size) {
	}
}
