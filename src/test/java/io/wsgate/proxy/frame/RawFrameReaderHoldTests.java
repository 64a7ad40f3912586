package io.wsgate.proxy.frame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The raw reader holds a message its rate does not allow yet, with what was read after it, and
 * resumes at that message on the event loop's timer: nothing lost or reordered.
 */
class RawFrameReaderHoldTests {

	/** Relays into a list; answers messageDelay from a script. */
	private static final class ScriptedSink implements RawFrameReader.Sink {

		final Deque<Long> delays = new ArrayDeque<>();

		final List<Integer> relayedFirstBytes = new ArrayList<>();

		int pauses;

		int resumes;

		@Override
		public boolean admit(int opcode, boolean fin, long size, boolean keepaliveEcho) {
			return true;
		}

		@Override
		public void relay(ByteBuf frames) {
			// Unmasked one-byte text frames: 0x81 0x01 <byte>; note each payload byte.
			for (int i = frames.readerIndex(); i < frames.writerIndex(); i += 3) {
				relayedFirstBytes.add((int) frames.getByte(i + 2));
			}
			frames.release();
		}

		@Override
		public long messageDelay() {
			Long delay = delays.poll();
			return (delay != null) ? delay : 0;
		}

		@Override
		public void pauseReading() {
			pauses++;
		}

		@Override
		public void resumeReading() {
			resumes++;
		}
	}

	private static ByteBuf frames(char... payloads) {
		ByteBuf buf = Unpooled.buffer();
		for (char payload : payloads) {
			buf.writeByte(0x81).writeByte(1).writeByte(payload);
		}
		return buf;
	}

	@Test
	void aMessageNotYetDueIsHeldWithWhatFollowsAndResumedInOrder() {
		ScriptedSink sink = new ScriptedSink();
		sink.delays.addAll(List.of(0L, TimeUnit.MILLISECONDS.toNanos(50)));
		EmbeddedChannel channel = new EmbeddedChannel(new RawFrameReader(sink, false, 1 << 20, false));
		channel.freezeTime();

		channel.writeInbound(frames('a', 'b', 'c'));
		assertThat(sink.relayedFirstBytes).containsExactly((int) 'a');
		assertThat(sink.pauses).isEqualTo(1);

		// Read while held: kept behind the held message.
		channel.writeInbound(frames('d'));
		assertThat(sink.relayedFirstBytes).containsExactly((int) 'a');

		channel.advanceTimeBy(50, TimeUnit.MILLISECONDS);
		channel.runScheduledPendingTasks();

		assertThat(sink.relayedFirstBytes).containsExactly((int) 'a', (int) 'b', (int) 'c', (int) 'd');
		assertThat(sink.resumes).isEqualTo(1);
		assertThat(channel.finishAndReleaseAll()).isFalse();
	}
}
