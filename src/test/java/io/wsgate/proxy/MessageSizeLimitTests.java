package io.wsgate.proxy;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.proxy.MessageSizeLimit.MessageTooBigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageSizeLimitTests {

	private final List<WebSocketFrame> frames = new ArrayList<>();

	@AfterEach
	void releaseFrames() {
		frames.forEach(f -> {
			if (f.refCnt() > 0) {
				f.release();
			}
		});
	}

	@Test
	void aFragmentedMessageOverTheLimitIsRefused() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		limit.check(text(4, false));
		limit.check(continuation(4, false));

		assertThatThrownBy(() -> limit.check(continuation(3, true))).isInstanceOf(MessageTooBigException.class)
			.hasMessageContaining("10");
	}

	@Test
	void aFragmentedMessageExactlyAtTheLimitPasses() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThatCode(() -> {
			limit.check(binary(4, false));
			limit.check(continuation(4, false));
			limit.check(continuation(2, true));
		}).doesNotThrowAnyException();
	}

	@Test
	void aSingleFrameOverTheLimitIsRefused() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThatThrownBy(() -> limit.check(text(11, true))).isInstanceOf(MessageTooBigException.class);
	}

	@Test
	void minusOneMeansUnlimited() {
		MessageSizeLimit limit = new MessageSizeLimit(-1);

		assertThatCode(() -> {
			limit.check(text(100_000, false));
			for (int i = 0; i < 10; i++) {
				limit.check(continuation(100_000, i == 9));
			}
		}).doesNotThrowAnyException();
	}

	@Test
	void controlFramesInsideAFragmentedMessageAreNotCounted() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThatCode(() -> {
			limit.check(text(5, false));
			limit.check(track(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[100]))));
			limit.check(track(new PongWebSocketFrame(Unpooled.wrappedBuffer(new byte[100]))));
			limit.check(continuation(5, true));
			limit.check(track(new CloseWebSocketFrame(1000, "x".repeat(50))));
		}).doesNotThrowAnyException();
	}

	@Test
	void aControlFrameDoesNotResetTheCount() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		limit.check(text(6, false));
		limit.check(track(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[1]))));

		assertThatThrownBy(() -> limit.check(continuation(5, true))).isInstanceOf(MessageTooBigException.class);
	}

	@Test
	void aNewMessageStartsCountingAgain() {
		MessageSizeLimit limit = new MessageSizeLimit(10);

		assertThatCode(() -> {
			limit.check(text(6, false));
			limit.check(continuation(4, true));
			limit.check(text(6, false));
			limit.check(continuation(4, true));
			limit.check(binary(10, true));
		}).doesNotThrowAnyException();
	}

	@Test
	void frameLimitFollowsTheMessageLimit() {
		assertThat(MessageSizeLimit.frameLimit(32769)).isEqualTo(32769);
		assertThat(MessageSizeLimit.frameLimit(-1)).isEqualTo(Integer.MAX_VALUE);
		assertThat(MessageSizeLimit.frameLimit(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
	}

	private TextWebSocketFrame text(int size, boolean last) {
		return track(new TextWebSocketFrame(last, 0, Unpooled.wrappedBuffer(new byte[size])));
	}

	private BinaryWebSocketFrame binary(int size, boolean last) {
		return track(new BinaryWebSocketFrame(last, 0, Unpooled.wrappedBuffer(new byte[size])));
	}

	private ContinuationWebSocketFrame continuation(int size, boolean last) {
		return track(new ContinuationWebSocketFrame(last, 0, Unpooled.wrappedBuffer(new byte[size])));
	}

	private <T extends WebSocketFrame> T track(T frame) {
		frames.add(frame);
		return frame;
	}
}
