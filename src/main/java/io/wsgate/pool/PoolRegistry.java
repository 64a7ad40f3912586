package io.wsgate.pool;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every server pool of the running configuration, for health checks, Actuator and status. */
public final class PoolRegistry {

	/**
	 * A pool and the pipeline it belongs to.
	 *
	 * @param pipeline the pipeline name
	 * @param pool the pool
	 */
	public record Entry(String pipeline, ServerPool pool) {
	}

	private final List<Entry> entries = new CopyOnWriteArrayList<>();

	public void register(String pipeline, ServerPool pool) {
		entries.add(new Entry(pipeline, pool));
	}

	public List<Entry> entries() {
		return List.copyOf(entries);
	}
}
