package io.wsgate.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The header checks of the raw frame path: the faults Netty's decoder refuses with 1002. */
class RawFrameReaderTests {

	private static final int MASKED = 0x80;

	@Test
	void wellFormedHeadersPass() {
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, true, false)).as("masked text from a client").isNull();
		assertThat(RawFrameReader.headerFault(0x82, 126, false, false)).as("binary from a backend").isNull();
		assertThat(RawFrameReader.headerFault(0x01, MASKED | 5, true, false)).as("first fragment").isNull();
		assertThat(RawFrameReader.headerFault(0x80, MASKED | 5, true, true)).as("last fragment").isNull();
		assertThat(RawFrameReader.headerFault(0x89, MASKED | 125, true, true)).as("ping between fragments").isNull();
		assertThat(RawFrameReader.headerFault(0x88, MASKED, true, false)).as("empty close").isNull();
	}

	@Test
	void masksMustMatchTheSide() {
		assertThat(RawFrameReader.headerFault(0x81, 5, true, false)).contains("not masked as expected");
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, false, false)).contains("not masked as expected");
	}

	@Test
	void reservedBitsAndOpcodesAreRefused() {
		assertThat(RawFrameReader.headerFault(0xC1, MASKED | 5, true, false)).contains("RSV");
		assertThat(RawFrameReader.headerFault(0x83, MASKED | 5, true, false)).contains("reserved opcode 3");
		assertThat(RawFrameReader.headerFault(0x8B, MASKED | 5, true, false)).contains("reserved opcode 11");
	}

	@Test
	void controlFramesAreShortAndWhole() {
		assertThat(RawFrameReader.headerFault(0x09, MASKED | 5, true, false)).contains("fragmented control frame");
		assertThat(RawFrameReader.headerFault(0x89, MASKED | 126, true, false)).contains("> 125");
		assertThat(RawFrameReader.headerFault(0x88, MASKED | 1, true, false)).contains("payload len 1");
	}

	@Test
	void fragmentsComeInOrder() {
		assertThat(RawFrameReader.headerFault(0x80, MASKED | 5, true, false)).contains("outside fragmented message");
		assertThat(RawFrameReader.headerFault(0x81, MASKED | 5, true, true)).contains("while inside fragmented message");
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
