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

	private final Runnable onChange;

	private final Thread thread;

	ConfigWatcher(List<Path> files, Runnable onChange) throws IOException {
		this.service = FileSystems.getDefault().newWatchService();
		this.onChange = onChange;
		Set<Path> folders = new HashSet<>();
		for (Path file : files) {
			names.add(file.getFileName());
			if (folders.add(file.getParent())) {
				file.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
						StandardWatchEventKinds.ENTRY_DELETE);
			}
		}
		this.thread = new Thread(this::run, "wsgate-config-watcher");
		thread.setDaemon(true);
		thread.start();
		logger.info("watching the configuration files " + files);
	}

	private void run() {
		try {
			while (true) {
				WatchKey key = service.take();
				boolean relevant = false;
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
