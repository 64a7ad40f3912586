package io.wsgate.it;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.netty.channel.epoll.Epoll;
import io.netty.util.internal.PlatformDependent;
import reactor.netty.ReactorNetty;

/**
 * Started by HelmChartJvmOptionsTests in a JVM of its own, with the chart's JDK_JAVA_OPTIONS:
 * prints what the gateway's JVM would see, one {@code key=value} a line. Loading Netty's native
 * epoll transport is what makes JDK 24+ warn without {@code --enable-native-access}.
 */
public final class JvmOptionsProbe {

	private JvmOptionsProbe() {
	}

	public static void main(String[] args) {
		int processors = Runtime.getRuntime().availableProcessors();
		System.out.println("javaVersion=" + Runtime.version().feature());
		System.out.println("processors=" + processors);
		// As GatewayConfiguration.reactorResourceFactory() counts its event loops.
		System.out.println("eventLoops=" + Integer.getInteger(ReactorNetty.IO_WORKER_COUNT, processors));
		System.out.println("maxHeapMiB=" + (Runtime.getRuntime().maxMemory() >> 20));
		System.out.println("nettyMaxDirectMemoryMiB=" + (PlatformDependent.maxDirectMemory() >> 20));
		System.out.println("epoll=" + Epoll.isAvailable());
		HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
		String compactHeaders;
		try {
			compactHeaders = hotspot.getVMOption("UseCompactObjectHeaders").getValue();
		}
		catch (IllegalArgumentException ex) {
			compactHeaders = "unknown";
		}
		System.out.println("compactObjectHeaders=" + compactHeaders);
		// 100: the heap is never given back, so the first storm after the warm-up does not regrow it.
		System.out.println("maxHeapFreeRatio=" + hotspot.getVMOption("MaxHeapFreeRatio").getValue());
	}
}
