package io.wsgate.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.wsgate.it.Faults.latin1;
import static io.wsgate.it.Faults.readHead;
import static org.assertj.core.api.Assertions.assertThat;

/** Accepts WebSocket handshakes and answers each with a 101 only when the test says so. */
final class SlowHandshakeBackend implements AutoCloseable {

	/** A handshake the backend has read and not answered yet. */
	static final class Pending {

		private final Socket socket;

		private final String key;

		/** Completes when the gateway has closed this connection. */
		final CompletableFuture<Void> closed = new CompletableFuture<>();

		Pending(Socket socket, String key) {
			this.socket = socket;
			this.key = key;
		}

		/** Answers 101, then waits in the background for the gateway to close the connection. */
		void answer101() throws Exception {
			answer101(new byte[0]);
		}

		/**
		 * Answers 101 with {@code frames} in the same write (one packet on loopback), then waits in the
		 * background for the gateway to close the connection.
		 */
		void answer101(byte[] frames) throws Exception {
			byte[] head = head101();
			byte[] answer = Arrays.copyOf(head, head.length + frames.length);
			System.arraycopy(frames, 0, answer, head.length, frames.length);
			socket.getOutputStream().write(answer);
			daemon(() -> {
				try (socket) {
					InputStream in = socket.getInputStream();
					while (in.read() != -1) {
						// whatever the gateway sends before it closes
					}
					closed.complete(null);
				}
				catch (IOException ex) {
					closed.complete(null); // reset by the gateway: closed as well
				}
			});
		}

		/**
		 * Answers 101 and leaves the connection to the test, which reads what the gateway sends
		 * ({@link #readFrame}, {@link #readsEnd}) and writes the backend's part ({@link #write}).
		 */
		void answer101Scripted() throws Exception {
			socket.getOutputStream().write(head101());
		}

		/** The next frame the gateway sent (masked, as a client's). */
		WireClient.WireFrame readFrame() throws IOException {
			return WireClient.readFrame(new DataInputStream(socket.getInputStream()), true);
		}

		void write(byte[] bytes) throws IOException {
			socket.getOutputStream().write(bytes);
		}

		/** Closes the backend's end of a scripted connection. */
		void close() throws IOException {
			socket.close();
		}

		/** Whether the gateway closed the connection (end of stream or reset) with nothing more sent. */
		boolean readsEnd() throws IOException {
			try {
				return socket.getInputStream().read() == -1;
			}
			catch (SocketException reset) {
				return true;
			}
		}

		private byte[] head101() throws Exception {
			byte[] sha1 = MessageDigest.getInstance("SHA-1")
				.digest(latin1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
			return latin1("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
					+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1)
					+ "\r\n\r\n");
		}
	}

	private final ServerSocket server = Sockets.hanging();

	private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();

	SlowHandshakeBackend() {
		daemon(() -> {
			while (!server.isClosed()) {
				try {
					Socket socket = server.accept();
					daemon(() -> read(socket));
				}
				catch (IOException ex) {
					// closed
				}
			}
		});
	}

	private void read(Socket socket) {
		try {
			socket.setSoTimeout(20_000);
			String head = readHead(socket.getInputStream());
			Matcher key = Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)").matcher(head);
			if (key.find()) {
				pending.add(new Pending(socket, key.group(1)));
			}
		}
		catch (IOException ex) {
			// the gateway gave up
		}
	}

	/** The next handshake the gateway sent. */
	Pending next() throws InterruptedException {
		Pending next = pending.poll(5, TimeUnit.SECONDS);
		assertThat(next).as("a handshake reached the slow backend").isNotNull();
		return next;
	}

	int port() {
		return server.getLocalPort();
	}

	private static void daemon(Runnable task) {
		Thread thread = new Thread(task, "slow-handshake-backend");
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() throws IOException {
		server.close();
	}
}
