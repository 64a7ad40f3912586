package io.wsgate.proxy.frame;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8CheckTests {

	@Test
	void acceptsAsciiAndMultiByteText() {
		assertThat(valid(bytes("plain ascii, long enough for the 8-byte path"))).isTrue();
		assertThat(valid(bytes("é ü 中文 🎉 and ascii after the emoji, long enough"))).isTrue();
		assertThat(valid(new byte[0])).isTrue();
	}

	@Test
	void refusesMalformedSequences() {
		assertThat(valid(new byte[] { 'o', 'k', (byte) 0xC3, 0x28 })).as("bad continuation byte").isFalse();
		assertThat(valid(new byte[] { (byte) 0xC0, (byte) 0xAF })).as("overlong").isFalse();
		assertThat(valid(new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 })).as("surrogate").isFalse();
		assertThat(valid(new byte[] { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 })).as("above U+10FFFF").isFalse();
		assertThat(valid(new byte[] { 'a', 'b', (byte) 0xE2, (byte) 0x82 })).as("cut short").isFalse();
	}

	@Test
	void aCodePointMaySpanTwoFrames() {
		Utf8Check check = new Utf8Check();
		byte[] euro = bytes("€");
		assertThat(check.update(Unpooled.wrappedBuffer(euro, 0, 1), 0, 1, 0)).isTrue();
		assertThat(check.update(Unpooled.wrappedBuffer(euro, 1, 2), 0, 2, 0)).isTrue();
		assertThat(check.finish()).isTrue();
	}

	@Test
	void finishStartsOverForTheNextMessage() {
		Utf8Check check = new Utf8Check();
		check.update(Unpooled.wrappedBuffer(new byte[] { (byte) 0xE2 }), 0, 1, 0);
		assertThat(check.finish()).isFalse();
		assertThat(check.update(Unpooled.wrappedBuffer(bytes("fine")), 0, 4, 0)).isTrue();
		assertThat(check.finish()).isTrue();
	}

	/** Random text and random bytes, masked and split at random, judged as the JDK's strict decoder judges them. */
	@Test
	void agreesWithTheJdkDecoderOnMaskedSplitInput() {
		Random random = new Random(42);
		String alphabet = "abcdefghij klmnop 0123 éèü ß 中文字 🎉🚀 \u0000\u007F";
		for (int round = 0; round < 5000; round++) {
			byte[] message;
			if (random.nextBoolean()) {
				StringBuilder text = new StringBuilder();
				int length = random.nextInt(60);
				for (int i = 0; i < length; i++) {
					text.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
							random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
				}
				message = bytes(text.toString());
				if (message.length > 0 && random.nextInt(3) == 0) {
					message[random.nextInt(message.length)] = (byte) random.nextInt(256);
				}
			}
			else {
				message = new byte[random.nextInt(40)];
				random.nextBytes(message);
			}
			int split = message.length == 0 ? 0 : random.nextInt(message.length + 1);
			Utf8Check check = new Utf8Check();
			boolean valid = frame(check, message, 0, split, random.nextInt())
					&& frame(check, message, split, message.length - split, random.nextInt()) && check.finish();
			assertThat(valid).as("round %d: %s", round, java.util.HexFormat.of().formatHex(message))
				.isEqualTo(jdkAccepts(message));
		}
	}

	/** Feeds {@code length} bytes of the message as one frame's payload, masked with {@code mask}, at an odd offset. */
	private static boolean frame(Utf8Check check, byte[] message, int offset, int length, int mask) {
		ByteBuf buf = Unpooled.buffer(length + 3);
		buf.writeBytes(new byte[] { 1, 2, 3 });
		for (int i = 0; i < length; i++) {
			buf.writeByte(message[offset + i] ^ (mask >>> (24 - ((i & 3) << 3))));
		}
		return check.update(buf, 3, length, mask);
	}

	private static boolean valid(byte[] message) {
		Utf8Check check = new Utf8Check();
		return check.update(Unpooled.wrappedBuffer(message), 0, message.length, 0) && check.finish();
	}

	private static boolean jdkAccepts(byte[] message) {
		try {
			StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(message));
			return true;
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}
}
