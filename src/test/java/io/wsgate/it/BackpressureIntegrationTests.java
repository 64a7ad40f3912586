package io.wsgate.it;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer that stops reading must stop the gateway from reading the other side: the sender's writes
 * stall once the socket buffers and Netty's bounded write queue are full, so the gateway's memory
 * stays bounded however much the sender tries to push. Without end-to-end demand the gateway would
 * accept all 256 MiB and hold it in memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackpressureIntegrationTests {

	private static final int FRAME = 64 * 1024;

	private static final long ATTEMPT = 256L << 20;

	/** Socket buffers on both hops (a few MiB each on loopback) plus the gateway's bounded queues. */
	private static final long BOUND = 96L << 20;

	/**
	 * Growth of the Netty buffers in use in the test JVM (gateway and backends; socket buffers are
	 * not counted) while the writes stall: 1 to 22 MiB measured. Relaying slices of read buffers
	 * instead of copies once kept read buffers, and the allocator chunks around them, alive for the
	 * slow side: 50 to 120 MiB. Growth, because what the classes run before in the same JVM left in
	 * the allocator's chunks counts too (a full run once measured 45 MiB in all; the class alone passes).
	 */
	private static final long DIRECT_BOUND = 40L << 20;

	private final TestBackend stalledBackend = new TestBackend().neverRead();

	private final TestBackend echoBackend = new TestBackend();

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxy("path: /stalled", "stalled", "ws://127.0.0.1:${stalled}", "clientMaxMsgSize: -1")
			.proxy("path: /echo", "echo", "ws://127.0.0.1:${echo}", "clientMaxMsgSize: -1, serverMaxMsgSize: -1")
			.start(Map.of("stalled", stalledBackend.port(), "echo", echoBackend.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		stalledBackend.close();
		echoBackend.close();
	}

	@Test
	void backendThatNeverReadsStallsTheClientInsteadOfFillingGatewayMemory() throws Exception {
		assertWritesStall("/stalled");
	}

	@Test
	void clientThatNeverReadsStallsItsOwnWritesThroughTheEchoLoop() throws Exception {
		// The echo backend writes back to a client that never reads: the gateway stops reading the
		// backend, the backend stops reading the gateway, the gateway stops reading the client.
		assertWritesStall("/echo");
	}

	private void assertWritesStall(String path) throws Exception {
		try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", gateway.port("edge")))) {
			RawHttp.upgrade(socket, path);
			socket.configureBlocking(false);
			ByteBuffer frame = RawHttp.maskedBinaryFrame(FRAME);
			long written = 0;
			long stalledSince = 0;
			long deadline = System.nanoTime() + 20_000_000_000L;
			long directAtStart = usedDirectMemory();
			long maxDirect = directAtStart;
			while (written < ATTEMPT && System.nanoTime() < deadline) {
				int n = socket.write(frame);
				written += n;
				if (!frame.hasRemaining()) {
					frame.rewind();
				}
				maxDirect = Math.max(maxDirect, usedDirectMemory());
				if (n > 0) {
					stalledSince = 0;
				}
				else if (stalledSince == 0) {
					stalledSince = System.nanoTime();
				}
				else if (System.nanoTime() - stalledSince > 1_000_000_000L) {
					break;
				}
				else {
					Thread.onSpinWait();
				}
			}
			assertThat(written).as("bytes the gateway accepted before the writes stalled").isLessThan(BOUND);
			assertThat(maxDirect - directAtStart)
				.as("growth of the Netty direct memory in use in the test JVM (gateway and backends) from %d bytes",
						directAtStart)
				.isLessThan(DIRECT_BOUND);
		}
	}

	private static long usedDirectMemory() {
		return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
	}
}
