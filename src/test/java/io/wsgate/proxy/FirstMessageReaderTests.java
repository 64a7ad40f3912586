package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsgate.metrics.HandshakeOutcome;
import io.wsgate.proxy.FirstMessageReader.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The first message assembled, its faults, and the frames after it held in order for the bridge. */
class FirstMessageReaderTests {

	private final List<Object> passedOn = new ArrayList<>();

	private final FirstMessageReader reader = new FirstMessageReader(16);

	private final EmbeddedChannel channel = new EmbeddedChannel(reader, new ChannelInboundHandlerAdapter() {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			passedOn.add(msg);
		}
	});

	@AfterEach
	void release() {
		passedOn.forEach(io.netty.util.ReferenceCountUtil::release);
		channel.finishAndReleaseAll();
	}

	@Test
	void fragmentsMakeOneMessageAndReadingStopsAfterIt() {
		channel.writeInbound(new TextWebSocketFrame(false, 0, "let-"), continuation(true, "me-in"));
		channel.runPendingTasks();
		StepVerifier.create(reader.message()).expectNext("let-me-in").expectComplete().verify(Duration.ofSeconds(5));
		assertThat(channel.config().isAutoRead()).isFalse();
		assertThat(passedOn).isEmpty();
	}

	@Test
	void framesAfterTheFirstMessageAreHeldThenHandedOverInOrder() {
		TextWebSocketFrame one = new TextWebSocketFrame("one");
		BinaryWebSocketFrame two = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { 2 }));
		CloseWebSocketFrame close = new CloseWebSocketFrame(4000, "bye");
		channel.writeInbound(new TextWebSocketFrame("token"), one, two, close);
		channel.runPendingTasks();
		assertThat(passedOn).as("held until the bridge starts").isEmpty();

		reader.handOver();

		assertThat(passedOn).as("without a forwarder, everything goes on").containsExactly(one, two, close);
		assertThat(channel.pipeline().get(FirstMessageReader.class)).isNull();
		assertThat(channel.config().isAutoRead()).isTrue();
	}

	@Test
	void discardReleasesWhatIsHeld() {
		TextWebSocketFrame held = new TextWebSocketFrame("later");
		channel.writeInbound(new TextWebSocketFrame("token"), held);
		reader.discard();
		assertThat(held.refCnt()).isZero();
		assertThat(passedOn).isEmpty();
		assertThat(channel.config().isAutoRead()).isTrue();
	}

	@Test
	void pingsAreAnsweredWhileWaiting() {
		channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.UTF_8)));
		PongWebSocketFrame pong = channel.readOutbound();
		assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("p");
		pong.release();
		channel.writeInbound(new TextWebSocketFrame("token"));
		channel.runPendingTasks();
		StepVerifier.create(reader.message()).expectNext("token").expectComplete().verify(Duration.ofSeconds(5));
	}

	@Test
	void aBinaryFirstMessageIsAPolicyViolation() {
		channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] { 1 })));
		assertFailure(1008, "first message must be text", HandshakeOutcome.FIRST_MESSAGE_REJECTED, false);
	}

	@Test
	void aFirstMessageOverTheLimitAcrossFragmentsIsTooBig() {
		channel.writeInbound(new TextWebSocketFrame(false, 0, "x".repeat(10)), continuation(true, "y".repeat(7)));
		assertFailure(1009, "first message too big", HandshakeOutcome.FIRST_MESSAGE_REJECTED, false);
	}

	@Test
	void aMessageAtTheLimitIsRead() {
		channel.writeInbound(new TextWebSocketFrame("z".repeat(16)));
		channel.runPendingTasks();
		StepVerifier.create(reader.message()).expectNext("z".repeat(16)).expectComplete().verify(Duration.ofSeconds(5));
	}

	@Test
	void aClientCloseBeforeTheFirstMessageIsPassedOnAndEndsTheWait() {
		CloseWebSocketFrame close = new CloseWebSocketFrame(4001, "later");
		channel.writeInbound(close);
		assertThat(passedOn).containsExactly(close);
		assertFailure(4001, "client closed before its first message", HandshakeOutcome.FIRST_MESSAGE_REJECTED, true);
	}

	@Test
	void aLostClientEndsTheWait() {
		channel.close();
		assertFailure(1006, "client left before its first message", HandshakeOutcome.FIRST_MESSAGE_REJECTED, true);
	}

	private void assertFailure(int code, String reason, HandshakeOutcome outcome, boolean clientClosed) {
		StepVerifier.create(reader.message()).expectErrorSatisfies(error -> {
			Failure failure = (Failure) error;
			assertThat(failure.code).isEqualTo(code);
			assertThat(failure.reason).isEqualTo(reason);
			assertThat(failure.outcome).isEqualTo(outcome);
			assertThat(failure.clientClosed).isEqualTo(clientClosed);
		}).verify(Duration.ofSeconds(5));
	}

	private static WebSocketFrame continuation(boolean fin, String text) {
		ByteBuf content = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
		return new ContinuationWebSocketFrame(fin, 0, content);
	}
}
