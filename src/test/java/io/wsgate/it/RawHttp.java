package io.wsgate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends a hand-written HTTP request over a plain socket and reads the response, so tests can send
 * exactly the headers they want (Host, Upgrade, broken handshakes).
 */
public final class RawHttp {

	/** A parsed response: status, headers (lower-case names, last value wins) and body. */
	public record Response(int status, Map<String, String> headers, String body) {
	}

	private RawHttp() {
	}

	/** The standard headers of a valid WebSocket handshake, to append to a request head. */
	public static final String UPGRADE_HEADERS = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

	/**
	 * @param port the port on 127.0.0.1
	 * @param head the request line and headers, each line ending with CRLF (the blank line is added)
	 */
	public static Response send(int port, String head) throws IOException {
		return send(port, new byte[0], head);
	}

	/**
	 * @param port the port on 127.0.0.1
	 * @param preamble bytes sent before the request, such as a PROXY protocol header
	 * @param head the request line and headers, each line ending with CRLF (the blank line is added)
	 */
	public static Response send(int port, byte[] preamble, String head) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(preamble);
			socket.getOutputStream().write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			InputStream in = socket.getInputStream();
			String headText = readHead(in);
			String[] lines = headText.split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
			}
			String body = "";
			if (headers.containsKey("content-length")) {
				body = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8);
			}
			return new Response(status, headers, body);
		}
	}

	/** Performs a WebSocket handshake on a blocking NIO channel and checks it is answered 101. */
	public static void upgrade(SocketChannel socket, String path) throws IOException {
		String request = "GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + UPGRADE_HEADERS + "\r\n";
		socket.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
		ByteBuffer response = ByteBuffer.allocate(4096);
		String head = "";
		while (!head.contains("\r\n\r\n")) {
			if (socket.read(response) < 0) {
				throw new IOException("closed during handshake: " + head);
			}
			head = new String(response.array(), 0, response.position(), StandardCharsets.ISO_8859_1);
		}
		if (!head.startsWith("HTTP/1.1 101")) {
			throw new IOException("handshake not upgraded: " + head);
		}
	}

	/** A final binary client frame of {@code size} bytes, masked with the all-zero key (payload unchanged). */
	public static ByteBuffer maskedBinaryFrame(int size) {
		ByteBuffer frame = ByteBuffer.allocateDirect(2 + 8 + 4 + size);
		frame.put((byte) 0x82).put((byte) (0x80 | 127)).putLong(size).putInt(0);
		while (frame.hasRemaining()) {
			frame.put((byte) 'w');
		}
		return frame.flip();
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != -1) {
			head.write(b);
			byte[] bytes = head.toByteArray();
			int n = bytes.length;
			if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
				return new String(bytes, 0, n - 4, StandardCharsets.ISO_8859_1);
			}
		}
		throw new IOException("connection closed before the response head was complete: " + head);
	}
}
