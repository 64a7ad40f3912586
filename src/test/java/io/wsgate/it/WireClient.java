package io.wsgate.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that writes and reads frames byte for byte, for tests that need frames no
 * well-behaved client library sends (bad headers, odd lengths, many frames in one write).
 */
final class WireClient implements AutoCloseable {

	/** A frame as read from the gateway; {@code rsv} is its reserved bits (RSV1 = 4). */
	record WireFrame(int opcode, boolean fin, int rsv, byte[] payload) {

		int closeCode() {
			return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
		}

		String closeReason() {
			return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
		}

		String text() {
			return new String(payload, StandardCharsets.UTF_8);
		}
	}

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	/** The gateway's 101, status line and headers. */
	private String head;

	private WireClient(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
	}

	/** Connects and upgrades; fails unless the answer is 101. */
	static WireClient connect(int port, String path) throws IOException {
		return connect(port, path, "");
	}

	/** Connects and upgrades with extra request headers (each line ending with CRLF); fails unless the answer is 101. */
	static WireClient connect(int port, String path, String extraHeaders) throws IOException {
		Socket socket = new Socket("127.0.0.1", port);
		socket.setSoTimeout(10_000);
		WireClient client = new WireClient(socket);
		client.out.write(("GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS + extraHeaders + "\r\n")
			.getBytes(StandardCharsets.ISO_8859_1));
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = client.in.read();
			if (b < 0) {
				throw new IOException("closed during the handshake: " + head);
			}
			head.write(b);
		}
		if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
			socket.close();
			throw new IOException("not upgraded: " + head);
		}
		client.head = head.toString(StandardCharsets.ISO_8859_1);
		return client;
	}

	/**
	 * Connects and upgrades on another thread, for a test whose backend answers the handshake only
	 * when the test says so.
	 */
	static CompletableFuture<WireClient> connectLater(int port, String path) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return connect(port, path);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

	/** The gateway's 101: status line and headers. */
	String head() {
		return head;
	}

	/** A client frame with a random mask: {@code first} is the FIN/RSV/opcode byte. */
	static byte[] masked(int first, byte[] payload) {
		return frame(first, payload, ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE));
	}

	/** An unmasked frame (valid from a server only). */
	static byte[] unmasked(int first, byte[] payload) {
		return frame(first, payload, 0);
	}

	private static byte[] frame(int first, byte[] payload, int mask) {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(first);
		int maskBit = (mask != 0) ? 0x80 : 0;
		if (payload.length < 126) {
			frame.write(maskBit | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(maskBit | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length);
		}
		else {
			frame.write(maskBit | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				frame.write((int) ((long) payload.length >>> shift));
			}
		}
		if (mask != 0) {
			for (int shift = 24; shift >= 0; shift -= 8) {
				frame.write(mask >>> shift);
			}
		}
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ ((mask != 0) ? (mask >>> (24 - ((i & 3) << 3))) : 0));
		}
		return frame.toByteArray();
	}

	/** A close frame's payload: the code, then the reason in UTF-8. */
	static byte[] closePayload(int code, String reason) {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		byte[] payload = new byte[2 + text.length];
		payload[0] = (byte) (code >>> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, text.length);
		return payload;
	}

	/** Frames one after the other, as one write puts them on the wire. */
	static byte[] together(byte[]... frames) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (byte[] frame : frames) {
			all.writeBytes(frame);
		}
		return all.toByteArray();
	}

	void write(byte[]... frames) throws IOException {
		out.write(together(frames));
		out.flush();
	}

	void sendText(String text) throws IOException {
		write(masked(0x81, text.getBytes(StandardCharsets.UTF_8)));
	}

	/** Reads the next frame; a frame from the gateway must not be masked. */
	WireFrame read() throws IOException {
		return readFrame(in, false);
	}

	/**
	 * Reads a frame the gateway wrote: masked when it wrote it as a client (to a backend), unmasked
	 * as a server (to a client); the other is an error.
	 */
	static WireFrame readFrame(DataInputStream in, boolean masked) throws IOException {
		int first = in.readUnsignedByte();
		int second = in.readUnsignedByte();
		if (((second & 0x80) != 0) != masked) {
			throw new IOException(masked ? "the gateway sent a backend an unmasked frame" : "the gateway masked a frame");
		}
		long length = second & 0x7F;
		if (length == 126) {
			length = in.readUnsignedShort();
		}
		else if (length == 127) {
			length = in.readLong();
		}
		byte[] mask = new byte[masked ? 4 : 0];
		in.readFully(mask);
		byte[] payload = new byte[(int) length];
		in.readFully(payload);
		for (int i = 0; i < payload.length && masked; i++) {
			payload[i] ^= mask[i & 3];
		}
		return new WireFrame(first & 0x0F, (first & 0x80) != 0, (first & 0x70) >> 4, payload);
	}

	/** Reads up to the close frame and returns it. */
	WireFrame readClose() throws IOException {
		WireFrame frame = read();
		while (frame.opcode() != 0x8) {
			frame = read();
		}
		return frame;
	}

	/** Whether the gateway closed the connection (end of stream or reset) with nothing more sent. */
	boolean readsEnd() throws IOException {
		try {
			return in.read() == -1;
		}
		catch (java.net.SocketException reset) {
			return true;
		}
	}

	@Override
	public void close() throws IOException {
		socket.close();
	}
}
