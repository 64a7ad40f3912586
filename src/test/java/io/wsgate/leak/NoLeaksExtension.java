package io.wsgate.leak;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * Fails a test class when a Netty buffer it used was garbage-collected without being released: the
 * frame path hands buffers from one connection to the other, and a missed release there would leak
 * memory for as long as the gateway runs. Registered for every test class (junit-platform.properties).
 *
 * <p>Netty finds a leak only when the buffer has been collected and a later buffer is tracked, so
 * after each class this collects garbage and allocates a few buffers until the reports settle. A leak
 * found here was made by this class or, rarely, collected late from the class before.
 */
public final class NoLeaksExtension implements AfterAllCallback {

	private static final Duration ROUND = Duration.ofMillis(50);

	@Override
	public void afterAll(ExtensionContext context) {
		if (!RecordingLeakDetector.installed()) {
			return;
		}
		// Three rounds of a collection, 50 ms for the reference handler to queue what it collected, and
		// new buffers tracked.
		AtomicInteger rounds = new AtomicInteger();
		System.gc();
		await().pollDelay(ROUND).pollInterval(ROUND).atMost(Duration.ofSeconds(10)).until(() -> {
			provokeReport(ByteBufAllocator.DEFAULT);
			provokeReport(UnpooledByteBufAllocator.DEFAULT);
			if (rounds.incrementAndGet() == 3) {
				return true;
			}
			System.gc();
			return false;
		});
		List<String> leaks = RecordingLeakDetector.drain();
		if (!leaks.isEmpty()) {
			throw new AssertionError(leaks.size() + " Netty buffer(s) leaked (never released):\n"
					+ String.join("\n\n", leaks) + "\n" + inShort(context, leaks));
		}
	}

	/**
	 * The message's last lines, which are what a CI log's tail keeps of a long report: the test class,
	 * and where each leaked buffer was used last.
	 */
	private static String inShort(@Nullable ExtensionContext context, List<String> leaks) {
		StringBuilder text = new StringBuilder("In short: ").append(leaks.size())
			.append(" leaked buffer(s) found after the tests of ")
			.append((context != null) ? context.getRequiredTestClass().getName() : "(no class)")
			.append(" (or, rarely, collected late from the class before)");
		for (String leak : leaks) {
			text.append("\n- last used at: ").append(lastAccess(leak));
		}
		return text.toString();
	}

	/** The newest access record's first frames (Netty lists the newest first, as #1). */
	private static String lastAccess(String leak) {
		int newest = leak.indexOf("#1:");
		if (newest < 0) {
			return "(no access records)";
		}
		return leak.substring(newest + 3)
			.lines()
			.map(String::strip)
			.filter(line -> !line.isEmpty())
			.takeWhile(line -> !line.startsWith("#") && !line.startsWith("Created at:"))
			.limit(6)
			.collect(Collectors.joining(" < "));
	}

	/** Netty reports collected leaks when it starts tracking a new buffer. */
	private static void provokeReport(ByteBufAllocator allocator) {
		ByteBuf heap = allocator.heapBuffer(1);
		heap.release();
		ByteBuf direct = allocator.directBuffer(1);
		direct.release();
	}
}
