package io.wsgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback sockets that tests use as broken backends. */
final class Sockets {

	private Sockets() {
	}

	/** A port with nothing listening on it (free when this returns): connections are refused. */
	static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A server that completes TCP connections (kernel backlog) but never accepts or answers them. */
	static ServerSocket hanging() {
		try {
			return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
