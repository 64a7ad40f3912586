package io.wsgate.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Loopback sockets that tests use as broken backends. */
final class Sockets {

	private Sockets() {
	}

	/** Sockets behind {@link #closedPort()}, held until the JVM exits. */
	private static final List<Socket> HELD = new CopyOnWriteArrayList<>();

	/**
	 * A port that refuses connections: a socket is bound to it and never listens. The socket stays
	 * open until the JVM exits, so no other process or test can take the port and answer on it.
	 */
	static int closedPort() {
		try {
			Socket socket = new Socket();
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			HELD.add(socket);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A server that answers every request head with {@code response} and closes the connection, on a
	 * daemon thread that ends when the socket is closed.
	 */
	static ServerSocket answering(String response) {
		ServerSocket server = hanging();
		Thread thread = new Thread(() -> {
			while (!server.isClosed()) {
				try (Socket socket = server.accept()) {
					socket.setSoTimeout(5_000);
					BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
					String line;
					while ((line = reader.readLine()) != null && !line.isEmpty()) {
						// the request head, up to its blank line
					}
					socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
				}
				catch (IOException ex) {
					// closed, or a client that left: go on until the server socket is closed
				}
			}
		}, "answering-" + server.getLocalPort());
		thread.setDaemon(true);
		thread.start();
		return server;
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
