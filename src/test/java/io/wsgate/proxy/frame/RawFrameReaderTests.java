package io.wsgate.proxy.frame;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The header checks of the raw frame path: the faults Netty's decoder refuses with 1002. */
class RawFrameReaderTests {

	private static final int MASKED = 0x80;

	@Test
	void wellFormedHeadersPass() {
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, true, false, false)).as("masked text from a client").isNull();
		assertThat(RawFrameReader.headerFault(0x82, 126, false, false, false)).as("binary from a backend").isNull();
		assertThat(RawFrameReader.headerFault(0x01, MASKED | 5, true, false, false)).as("first fragment").isNull();
		assertThat(RawFrameReader.headerFault(0x80, MASKED | 5, true, true, false)).as("last fragment").isNull();
		assertThat(RawFrameReader.headerFault(0x89, MASKED | 125, true, true, false)).as("ping between fragments").isNull();
		assertThat(RawFrameReader.headerFault(0x88, MASKED, true, false, false)).as("empty close").isNull();
	}

	@Test
	void masksMustMatchTheSide() {
		assertThat(RawFrameReader.headerFault(0x81, 5, true, false, false)).contains("not masked as expected");
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, false, false, false)).contains("not masked as expected");
	}

	@Test
	void reservedBitsAndOpcodesAreRefused() {
		assertThat(RawFrameReader.headerFault(0xC1, MASKED | 5, true, false, false)).contains("RSV");
		assertThat(RawFrameReader.headerFault(0x83, MASKED | 5, true, false, false)).contains("reserved opcode 3");
		assertThat(RawFrameReader.headerFault(0x8B, MASKED | 5, true, false, false)).contains("reserved opcode 11");
	}

	@Test
	void withPermessageDeflateRsv1MarksOnlyTheFirstFrameOfAMessage() {
		assertThat(RawFrameReader.headerFault(0xC1, MASKED | 5, true, false, true)).as("compressed text").isNull();
		assertThat(RawFrameReader.headerFault(0xC2, 5, false, false, true)).as("compressed binary, from a backend").isNull();
		assertThat(RawFrameReader.headerFault(0x41, MASKED | 5, true, false, true)).as("compressed first fragment").isNull();
		assertThat(RawFrameReader.headerFault(0x80, MASKED | 5, true, true, true)).as("its last fragment, RSV1 clear").isNull();
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, true, false, true)).as("uncompressed text").isNull();

		assertThat(RawFrameReader.headerFault(0xC0, MASKED | 5, true, true, true)).isEqualTo("RSV1 set on a continuation frame");
		assertThat(RawFrameReader.headerFault(0xC9, MASKED | 5, true, false, true)).isEqualTo("RSV1 set on a control frame");
		assertThat(RawFrameReader.headerFault(0xC8, MASKED | 2, true, false, true)).isEqualTo("RSV1 set on a control frame");
		assertThat(RawFrameReader.headerFault(0xA1, MASKED | 5, true, false, true)).contains("RSV2 or RSV3");
		assertThat(RawFrameReader.headerFault(0x91, MASKED | 5, true, false, true)).contains("RSV2 or RSV3");
		assertThat(RawFrameReader.headerFault(0xE1, MASKED | 5, true, false, true)).contains("RSV2 or RSV3");
		assertThat(RawFrameReader.headerFault(0xC3, MASKED | 5, true, false, true)).as("RSV1 does not excuse an opcode")
			.contains("reserved opcode 3");
	}

	@Test
	void withoutAnExtensionNoReservedBitIsAllowed() {
		for (int rsv = 1; rsv < 8; rsv++) {
			assertThat(RawFrameReader.rsvFault(rsv, Opcodes.TEXT, false)).as("RSV %d", rsv)
				.isEqualTo("RSV != 0 and no extension negotiated, RSV:" + rsv);
		}
		assertThat(RawFrameReader.rsvFault(0, Opcodes.PING, false)).isNull();
		assertThat(RawFrameReader.rsvFault(0, Opcodes.CONTINUATION, true)).isNull();
	}

	@Test
	void controlFramesAreShortAndWhole() {
		assertThat(RawFrameReader.headerFault(0x09, MASKED | 5, true, false, false)).contains("fragmented control frame");
		assertThat(RawFrameReader.headerFault(0x89, MASKED | 126, true, false, false)).contains("> 125");
		assertThat(RawFrameReader.headerFault(0x88, MASKED | 1, true, false, false)).contains("payload len 1");
	}

	@Test
	void fragmentsComeInOrder() {
		assertThat(RawFrameReader.headerFault(0x80, MASKED | 5, true, false, false)).contains("outside fragmented message");
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, true, true, false)).contains("while inside fragmented message");
	}

	@Test
	void unmaskAppliesTheMaskBytesInTurn() {
		int mask = 0x11223344;
		assertThat(RawFrameReader.unmask(0x11, mask, 0)).isZero();
		assertThat(RawFrameReader.unmask(0x22, mask, 1)).isZero();
		assertThat(RawFrameReader.unmask(0x33, mask, 6)).isZero();
		assertThat(RawFrameReader.unmask(0xFF, mask, 7)).isEqualTo(0xBB);
		assertThat(RawFrameReader.unmask(0x7F, 0, 3)).isEqualTo(0x7F);
	}
}
