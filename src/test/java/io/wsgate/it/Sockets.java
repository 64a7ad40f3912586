package io.wsgate.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

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
