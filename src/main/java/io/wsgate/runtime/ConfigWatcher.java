package io.wsgate.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Watches the folders of the config files and triggers on any change of one of those files, or of
 * a name starting with {@code ..}: a Kubernetes ConfigMap mount updates by writing a new
 * {@code ..2024_..} folder and swapping the {@code ..data} symlink that the files point through,
 * which the files' own names never see. One daemon thread, blocked on the watch service.
 */
final class ConfigWatcher implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ConfigWatcher.class);

	private final WatchService service;

	private final Set<Path> names = new HashSet<>();

	/** Folders in which any change counts (Easegress folders: a file added there is read). */
	private final Set<Path> anyChange = new HashSet<>();

	private final Runnable onChange;

	private final Thread thread;

	/**
	 * @param files files whose changes count, as absolute paths (their folders are watched)
	 * @param folders folders in which a change of any file counts
	 */
	ConfigWatcher(List<Path> files, List<Path> folders, Runnable onChange) throws IOException {
		this.service = FileSystems.getDefault().newWatchService();
		this.onChange = onChange;
		Set<Path> watched = new HashSet<>();
		for (Path file : files) {
			names.add(file.getFileName());
			register(Objects.requireNonNull(file.getParent(), () -> file + ": not in a folder"), watched);
		}
		for (Path folder : folders) {
			anyChange.add(folder);
			register(folder, watched);
		}
		this.thread = new Thread(this::run, "wsgate-config-watcher");
		thread.setDaemon(true);
		thread.start();
		logger.info("watching the configuration files " + files + ((folders.isEmpty()) ? "" : " and folders " + folders));
	}

	private void register(Path folder, Set<Path> watched) throws IOException {
		if (watched.add(folder)) {
			folder.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
					StandardWatchEventKinds.ENTRY_DELETE);
		}
	}

	private void run() {
		try {
			while (true) {
				WatchKey key = service.take();
				boolean relevant = anyChange.contains((Path) key.watchable());
				for (WatchEvent<?> event : key.pollEvents()) {
					relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW
							|| (event.context() instanceof Path name && isRelevant(name));
				}
				key.reset();
				if (relevant) {
					onChange.run();
				}
			}
		}
		catch (InterruptedException | ClosedWatchServiceException ex) {
			// Closed: the application stops.
		}
	}

	/** One of the files, or a ConfigMap's {@code ..data} and its timestamped folders. */
	boolean isRelevant(Path name) {
		return names.contains(name) || name.toString().startsWith("..");
	}

	@Override
	public void close() {
		try {
			service.close();
		}
		catch (IOException ex) {
			logger.debug("closing the config watcher: " + ex);
		}
	}
}
