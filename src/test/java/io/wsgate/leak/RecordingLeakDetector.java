package io.wsgate.leak;

import java.util.ArrayList;
import java.util.List;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector, made to remember what it reports so that a test can fail on it (Netty
 * itself only logs). Installed for the whole test run by the {@code io.netty.customResourceLeakDetector}
 * system property (see the pom), with every buffer tracked ({@code io.netty.leakDetection.level=paranoid}).
 *
 * @param <T> the tracked resource type
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

	private static final List<String> leaks = new ArrayList<>();

	/** Netty created one: the test run's settings are in effect. */
	private static volatile boolean installed;

	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
		super(resourceType, samplingInterval);
		installed = true;
	}

	/** The constructor older Netty versions look for. */
	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
		this(resourceType, samplingInterval);
	}

	@Override
	protected void reportTracedLeak(String resourceType, String records) {
		record(resourceType + " leaked:" + records);
		super.reportTracedLeak(resourceType, records);
	}

	@Override
	protected void reportUntracedLeak(String resourceType) {
		record(resourceType + " leaked (no access records)");
		super.reportUntracedLeak(resourceType);
	}

	/** Whether Netty created one of these (it does once a buffer class is first used). */
	static boolean installed() {
		return installed;
	}

	private static void record(String leak) {
		synchronized (leaks) {
			leaks.add(leak);
		}
	}

	/** The leaks reported since the last call. */
	static List<String> drain() {
		synchronized (leaks) {
			List<String> reported = List.copyOf(leaks);
			leaks.clear();
			return reported;
		}
	}
}
