package io.wsgate.leak;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The leak check that runs after every test class catches a buffer that was never released. */
class NoLeaksExtensionTests {

	@Test
	void aBufferCollectedWithoutReleaseFailsTheCheck() {
		// A first buffer makes Netty create its leak detector, whatever ran before in this JVM.
		ByteBuf released = ByteBufAllocator.DEFAULT.directBuffer(16);
		released.release();
		assumeTrue(RecordingLeakDetector.installed(), "run with the pom's surefire settings");
		leakOne();
		assertThatThrownBy(() -> new NoLeaksExtension().afterAll(null)).isInstanceOf(AssertionError.class)
			.hasMessageContaining("1 Netty buffer(s) leaked")
			.hasMessageContaining("leakOne")
			// a CI log keeps the end of a long message: where the buffer was used last is there
			.satisfies(error -> assertThat(error.getMessage().lines().reduce((first, second) -> second).orElseThrow())
				.startsWith("- last used at: ")
				.contains("NoLeaksExtensionTests.leakOne"));
	}

	@Test
	void releasedBuffersPassTheCheck() {
		ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(16);
		buffer.writeInt(42);
		assertThat(buffer.release()).isTrue();
		assertThatNoException().isThrownBy(() -> new NoLeaksExtension().afterAll(null));
	}

	/** Unpooled: a pooling allocator may still hold the last buffer it handed out. */
	private static void leakOne() {
		UnpooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(42);
	}
}
