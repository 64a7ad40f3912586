package io.wsgate.proxy.frame;

import org.junit.jupiter.api.Test;

import static io.wsgate.proxy.frame.Opcodes.BINARY;
import static io.wsgate.proxy.frame.Opcodes.CLOSE;
import static io.wsgate.proxy.frame.Opcodes.CONTINUATION;
import static io.wsgate.proxy.frame.Opcodes.PING;
import static io.wsgate.proxy.frame.Opcodes.PONG;
import static io.wsgate.proxy.frame.Opcodes.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

class MessageSizeLimitTests {

	@Test
	void aFragmentedMessageOverTheLimitIsRefused() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThat(limit.admits(TEXT, 4)).isTrue();
		assertThat(limit.admits(CONTINUATION, 4)).isTrue();
		assertThat(limit.admits(CONTINUATION, 3)).isFalse();
	}

	@Test
	void aFragmentedMessageExactlyAtTheLimitPasses() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThat(limit.admits(BINARY, 4)).isTrue();
		assertThat(limit.admits(CONTINUATION, 4)).isTrue();
		assertThat(limit.admits(CONTINUATION, 2)).isTrue();
	}

	@Test
	void aSingleFrameOverTheLimitIsRefused() {
		assertThat(new MessageSizeLimit(10).admits(TEXT, 11)).isFalse();
	}

	@Test
	void minusOneMeansUnlimited() {
		MessageSizeLimit limit = new MessageSizeLimit(-1);

		assertThat(limit.admits(TEXT, 100_000)).isTrue();
		for (int i = 0; i < 10; i++) {
			assertThat(limit.admits(CONTINUATION, Integer.MAX_VALUE)).isTrue();
		}
	}

	@Test
	void controlFramesInsideAFragmentedMessageAreNotCounted() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThat(limit.admits(TEXT, 5)).isTrue();
		assertThat(limit.admits(PING, 100)).isTrue();
		assertThat(limit.admits(PONG, 100)).isTrue();
		assertThat(limit.admits(CONTINUATION, 5)).isTrue();
		assertThat(limit.admits(CLOSE, 52)).isTrue();
	}

	@Test
	void aControlFrameDoesNotResetTheCount() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThat(limit.admits(TEXT, 6)).isTrue();
		assertThat(limit.admits(PING, 1)).isTrue();
		assertThat(limit.admits(CONTINUATION, 5)).isFalse();
	}

	@Test
	void aNewMessageStartsCountingAgain() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThat(limit.admits(TEXT, 6)).isTrue();
		assertThat(limit.admits(CONTINUATION, 4)).isTrue();
		assertThat(limit.admits(TEXT, 6)).isTrue();
		assertThat(limit.admits(CONTINUATION, 4)).isTrue();
		assertThat(limit.admits(BINARY, 10)).isTrue();
	}

	@Test
	void frameLimitFollowsTheMessageLimit() {
		assertThat(MessageSizeLimit.frameLimit(32769)).isEqualTo(32769);
		assertThat(MessageSizeLimit.frameLimit(-1)).isEqualTo(Integer.MAX_VALUE);
		assertThat(MessageSizeLimit.frameLimit(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
	}
}
