package io.wsgate.server;

import java.util.function.Supplier;

/**
 * The routing table in force, read by each request and swapped by a reload. Every gateway in the
 * process hands its listeners one of these, the self warm-up's included: the request path then calls
 * one class here, and the code the warm-up compiled for it is the code the first clients run (a
 * second class at this call would throw that code away at the first real request).
 *
 * @param <T> the table's type
 */
public final class RoutingInForce<T extends RoutingTable> implements Supplier<T> {

	private volatile T table;

	public RoutingInForce(T first) {
		this.table = first;
	}

	@Override
	public T get() {
		return table;
	}

	/** Requests that start from now on read {@code next}. */
	public void set(T next) {
		this.table = next;
	}
}
