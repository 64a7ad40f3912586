package io.wsgate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import io.wsgate.demo.EchoBackend;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.resources.ConnectionProvider;

/**
 * The benchmark's own tools, run as separate processes by the scripts in {@code bench/}:
 * <ul>
 * <li>{@code echo --port P [--compress true]}: a WebSocket echo backend (Reactor Netty) until killed; with
 * {@code --compress true} it accepts permessage-deflate;</li>
 * <li>{@code load --url U --connections N --window W --size S --seconds T --warmup T0 [--text true]
 * [--compress true]}: a closed-loop load generator: N connections, each keeping W binary messages of S bytes
 * in flight (text messages with {@code --text true}: chat-like JSON, mostly ASCII, valid UTF-8; offering
 * permessage-deflate with {@code --compress true}, and compressing when it is negotiated); prints one JSON
 * line with messages per second, latency percentiles and the connections that negotiated compression; with
 * {@code --cpu-pids P1,P2 --clock-ticks HZ} it
 * also reads the CPU time (utime + stime from {@code /proc/<pid>/stat}) those processes used during the
 * measured window;</li>
 * <li>{@code handshakes --url U --count N --concurrency C [--warmup N0]}: opens and closes N sessions, C at a
 * time (after N0 uncounted ones); prints one JSON line with the handshake rate and the latency from the
 * start of the connection to the 101; with {@code --cpu-pids} also the CPU time those processes used for
 * the counted sessions;</li>
 * <li>{@code hold --url U --count N --concurrency C --seconds S}: opens N sessions, C handshakes at a time,
 * prints one JSON line when all are open (or failed), keeps them idle for S seconds, prints a line when it
 * starts closing them, and a last one with the sessions lost while held.</li>
 * <li>{@code relay --port P --backends B1,B2}: the reference proxy on plain Netty ({@link NettyRelay}) until
 * killed.</li>
 * <li>{@code storm --url U --count N --concurrency C [--size S] [--timeout-seconds T] [--cpu-pids P1,P2
 * --clock-ticks HZ] [--backend-pids B1,B2] [--warmup N0 --warmup-urls U1,U2] [--start-file F]}: a reconnect
 * storm: N clients
 * connect, C at a time (a slot is held from the start of the connection to the echo), each sends one binary
 * message of S bytes, reads its echo and stays open. Prints one JSON line when every session is open or
 * has failed ({@link StormResult}), then closes them all. With {@code --warmup N0} it first opens, echoes
 * and closes N0 uncounted sessions round robin over the warm-up URLs (the echo backends), so that the
 * client's own JIT is not what a cold target is measured with. With {@code --start-file F} it then prints
 * {@code {"phase":"waiting"}} and waits for F ({@code key=value} lines written by {@code bench/run.sh} right
 * after it launched the target: {@code started} (epoch seconds, from Bash's {@code EPOCHREALTIME}),
 * {@code pid}, {@code url}, {@code ready}: {@code tcp} or a readiness URL); it polls the target every
 * 5 ms until its port accepts or its readiness URL answers 200, reports the time from the launch to that
 * moment and starts the storm at once. The CPU watched is that of the pids and of their descendants (the
 * workers of nginx); with {@code --backend-pids}, the backends' CPU over the same window is reported apart
 * (so that a storm whose backends were still compiling shows it).</li>
 * </ul>
 * All clients run on Reactor Netty's event loops: no thread per connection.
 */
public final class Bench {

	private static final WebsocketClientSpec CLIENT_SPEC = WebsocketClientSpec.builder()
		.maxFramePayloadLength(1 << 20)
		.build();

	/** The load client's spec with {@code --compress true}: Reactor Netty's permessage-deflate. */
	private static final WebsocketClientSpec COMPRESSING_CLIENT_SPEC = WebsocketClientSpec.builder()
		.maxFramePayloadLength(1 << 20)
		.compress(true)
		.build();

	/** Time allowed for one connection and its handshake. */
	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		switch (args[0]) {
			case "echo" -> echo(Integer.parseInt(options.getOrDefault("port", "0")),
					Boolean.parseBoolean(options.getOrDefault("compress", "false")));
			case "load" -> System.out.println(load(URI.create(options.get("url")),
					Integer.parseInt(options.getOrDefault("connections", "64")),
					Integer.parseInt(options.getOrDefault("window", "8")),
					Integer.parseInt(options.getOrDefault("size", "64")),
					Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "10"))),
					Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "3"))),
					Boolean.parseBoolean(options.getOrDefault("text", "false")),
					Boolean.parseBoolean(options.getOrDefault("compress", "false")),
					CpuClock.of(options.getOrDefault("cpu-pids", ""),
							Integer.parseInt(options.getOrDefault("clock-ticks", "100")))).toJson());
			case "handshakes" -> System.out.println(handshakes(URI.create(options.get("url")),
					Integer.parseInt(options.getOrDefault("count", "5000")),
					Integer.parseInt(options.getOrDefault("concurrency", "16")),
					Integer.parseInt(options.getOrDefault("warmup", "0")),
					CpuClock.of(options.getOrDefault("cpu-pids", ""),
							Integer.parseInt(options.getOrDefault("clock-ticks", "100")))).toJson());
			case "hold" -> hold(URI.create(options.get("url")),
					Integer.parseInt(options.getOrDefault("count", "9000")),
					Integer.parseInt(options.getOrDefault("concurrency", "64")),
					Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "5"))));
			case "storm" -> storm(options, System.out);
			case "relay" -> NettyRelay.run(Integer.parseInt(options.getOrDefault("port", "0")),
					Arrays.stream(options.get("backends").split(",")).map(Integer::parseInt).toList());
			default -> throw new IllegalArgumentException("unknown command " + args[0]);
		}
	}

	static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 1; i + 1 < args.length; i += 2) {
			options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		return options;
	}

	/** An echo backend that returns every data frame as it came (inflated and compressed again when compressing). */
	static void echo(int port, boolean compress) throws InterruptedException {
		// The demo's echo backend, as a process of its own.
		EchoBackend echo = new EchoBackend("bench", port, compress);
		echo.start();
		System.out.println("{\"echo\":" + echo.port() + "}");
		Thread.currentThread().join();
	}

	/**
	 * The result of a load run.
	 *
	 * @param messagesPerSecond echoed messages per second in the measured window
	 * @param p50Micros median round trip
	 * @param p99Micros 99th percentile round trip
	 * @param messages messages counted
	 * @param errors connections that failed
	 * @param cpuMicros CPU time of the watched processes in the measured window, -1 when none is watched
	 * @param compressedConnections connections whose 101 accepted permessage-deflate
	 */
	record LoadResult(double messagesPerSecond, double p50Micros, double p99Micros, long messages, long errors,
			long cpuMicros, long compressedConnections) {

		String toJson() {
			return String.format(Locale.ROOT,
					"{\"messagesPerSecond\":%.1f,\"p50Micros\":%.1f,\"p99Micros\":%.1f,\"messages\":%d,\"errors\":%d,"
							+ "\"cpuMicros\":%d,\"cpuMicrosPerMessage\":%.3f,\"compressedConnections\":%d}",
					messagesPerSecond, p50Micros, p99Micros, messages, errors, cpuMicros,
					(cpuMicros < 0 || messages == 0) ? -1.0 : (double) cpuMicros / messages, compressedConnections);
		}
	}

	static LoadResult load(URI url, int connections, int window, int size, Duration measure, Duration warmup,
			boolean text, boolean compress, CpuClock cpu) throws InterruptedException {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		long measureStart = System.nanoTime() + warmup.toNanos();
		long measureEnd = measureStart + measure.toNanos();
		AtomicLong errors = new AtomicLong();
		AtomicLong compressed = new AtomicLong();
		List<Connection> all = new ArrayList<>();
		CountDownLatch done = new CountDownLatch(connections);
		for (int i = 0; i < connections; i++) {
			Connection connection = new Connection(size, text, measureStart, measureEnd);
			all.add(connection);
			client.websocket(compress ? COMPRESSING_CLIENT_SPEC : CLIENT_SPEC)
				.uri(url)
				.handle((in, out) -> {
					// The client's inbound headers are the 101's.
					String extensions = in.headers().get("Sec-WebSocket-Extensions");
					if (extensions != null && extensions.startsWith("permessage-deflate")) {
						compressed.incrementAndGet();
					}
					Sinks.Many<WebSocketFrame> outgoing = Sinks.many().unicast().onBackpressureBuffer();
					for (int w = 0; w < window; w++) {
						outgoing.tryEmitNext(connection.next());
					}
					Mono<Void> sending = out.sendObject(outgoing.asFlux()).then();
					Mono<Void> receiving = in.receiveFrames()
						.takeWhile(frame -> connection.onEcho(frame.content()))
						.doOnNext(frame -> outgoing.tryEmitNext(connection.next()))
						.then(Mono.fromRunnable(outgoing::tryEmitComplete));
					return Mono.when(sending, receiving).then(out.sendClose());
				})
				.then()
				.timeout(measure.plus(warmup).plusSeconds(10))
				.doFinally(signal -> done.countDown())
				.subscribe(null, ex -> errors.incrementAndGet());
		}
		sleepUntil(measureStart);
		long cpuStart = cpu.micros();
		sleepUntil(measureEnd);
		long cpuEnd = cpu.micros();
		done.await(measure.plus(warmup).toSeconds() + 30, TimeUnit.SECONDS);
		long messages = 0;
		List<long[]> latencies = new ArrayList<>();
		for (Connection connection : all) {
			messages += connection.measured;
			latencies.add(Arrays.copyOf(connection.latencies, connection.latencyCount));
		}
		long[] merged = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
		double seconds = measure.toNanos() / 1e9;
		return new LoadResult(messages / seconds, percentile(merged, 0.50) / 1000.0, percentile(merged, 0.99) / 1000.0,
				messages, errors.get(), cpu.watches() ? cpuEnd - cpuStart : -1, compressed.get());
	}

	private static void sleepUntil(long nanoTime) throws InterruptedException {
		long left = nanoTime - System.nanoTime();
		if (left > 0) {
			TimeUnit.NANOSECONDS.sleep(left);
		}
	}

	/**
	 * The CPU time (user + system) used so far by a set of processes, read from {@code /proc/<pid>/stat}.
	 *
	 * @param pids the processes, none to watch nothing
	 * @param clockTicks the kernel's clock ticks per second ({@code getconf CLK_TCK})
	 */
	record CpuClock(List<String> pids, int clockTicks) {

		static CpuClock of(String pids, int clockTicks) {
			return new CpuClock(Arrays.stream(pids.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList(),
					clockTicks);
		}

		boolean watches() {
			return !pids.isEmpty();
		}

		/** The same processes and, as of now, all their descendants (nginx's workers, forked by its master). */
		CpuClock withDescendants() {
			Map<String, List<String>> children = new HashMap<>();
			try (var entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
				for (Path entry : entries) {
					try {
						String stat = Files.readString(entry.resolve("stat"));
						// After the command name: state(3) ppid(4).
						String ppid = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1];
						children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(entry.getFileName().toString());
					}
					catch (IOException | RuntimeException ex) {
						// a process that ended meanwhile
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			List<String> all = new ArrayList<>(pids);
			for (int i = 0; i < all.size(); i++) {
				for (String child : children.getOrDefault(all.get(i), List.of())) {
					if (!all.contains(child)) {
						all.add(child);
					}
				}
			}
			return new CpuClock(List.copyOf(all), clockTicks);
		}

		long micros() {
			long ticks = 0;
			for (String pid : pids) {
				try {
					String stat = Files.readString(Path.of("/proc", pid, "stat"));
					// Fields after the command name, which is in parentheses and may hold spaces:
					// state(3) ... utime(14) stime(15).
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
				}
				catch (IOException ex) {
					throw new UncheckedIOException("cannot read the CPU time of process " + pid, ex);
				}
			}
			return ticks * 1_000_000L / clockTicks;
		}
	}

	/**
	 * The result of a handshake run.
	 *
	 * @param handshakesPerSecond sessions opened and closed per second, over the whole counted run
	 * @param p50Millis median time from the start of the connection to the 101
	 * @param p99Millis 99th percentile of that time
	 * @param handshakes sessions opened
	 * @param errors sessions that failed (refused, timed out, or failed while closing)
	 * @param cpuMicros CPU time of the watched processes over the counted run, -1 when none is watched
	 */
	record HandshakeResult(double handshakesPerSecond, double p50Millis, double p99Millis, long handshakes,
			long errors, long cpuMicros) {

		String toJson() {
			return String.format(Locale.ROOT,
					"{\"handshakesPerSecond\":%.1f,\"p50Millis\":%.3f,\"p99Millis\":%.3f,\"handshakes\":%d,\"errors\":%d,"
							+ "\"cpuMicros\":%d,\"cpuMicrosPerHandshake\":%.1f}",
					handshakesPerSecond, p50Millis, p99Millis, handshakes, errors, cpuMicros,
					(cpuMicros < 0 || handshakes == 0) ? -1.0 : (double) cpuMicros / handshakes);
		}
	}

	static HandshakeResult handshakes(URI url, int count, int concurrency, int warmup, CpuClock cpu) {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		if (warmup > 0) {
			openAndClose(client, url, warmup, concurrency, new Errors());
		}
		Errors errors = new Errors();
		long cpuStart = cpu.watches() ? cpu.micros() : 0;
		long start = System.nanoTime();
		long[] latencies = openAndClose(client, url, count, concurrency, errors);
		double seconds = (System.nanoTime() - start) / 1e9;
		long cpuMicros = cpu.watches() ? cpu.micros() - cpuStart : -1;
		errors.report("handshakes");
		Arrays.sort(latencies);
		return new HandshakeResult(latencies.length / seconds, percentile(latencies, 0.50) / 1e6,
				percentile(latencies, 0.99) / 1e6, latencies.length, errors.count(), cpuMicros);
	}

	/** Opens and closes {@code count} sessions, {@code concurrency} at a time; returns their handshake times. */
	private static long[] openAndClose(HttpClient client, URI url, int count, int concurrency, Errors errors) {
		List<Long> latencies = Flux.range(0, count)
			.flatMap(i -> openAndClose(client, url).onErrorResume(ex -> {
				errors.record(ex);
				return Mono.empty();
			}), concurrency)
			.collectList()
			.block();
		return latencies.stream().mapToLong(Long::longValue).toArray();
	}

	/**
	 * Opens one session and closes it with 1000 right after the 101 (Reactor Netty's client then closes the
	 * TCP connection); emits the nanoseconds from the start of the connection to the 101.
	 */
	private static Mono<Long> openAndClose(HttpClient client, URI url) {
		return Mono.defer(() -> {
			long start = System.nanoTime();
			return client.websocket(CLIENT_SPEC).uri(url).handle((in, out) -> {
				long latency = System.nanoTime() - start;
				return out.sendClose(1000, "bench").thenReturn(latency);
			}).next();
		}).timeout(HANDSHAKE_TIMEOUT);
	}

	/**
	 * Opens {@code count} sessions and holds them idle. Prints one JSON line as soon as every handshake has
	 * succeeded or failed, holds the open sessions for {@code holdFor}, closes them with 1000 (announced by a
	 * {@code releasing} line) and prints a last line with the sessions that were lost while held
	 * ({@code dropped}).
	 */
	static void hold(URI url, int count, int concurrency, Duration holdFor) throws InterruptedException {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		HeldSessions held = new HeldSessions();
		Errors errors = new Errors();
		long start = System.nanoTime();
		Flux.range(0, count)
			.flatMap(i -> open(client, url, held).onErrorResume(ex -> {
				errors.record(ex);
				return Mono.empty();
			}), concurrency)
			.blockLast();
		double openSeconds = (System.nanoTime() - start) / 1e9;
		int opened = held.opened.get();
		System.out.printf(Locale.ROOT,
				"{\"phase\":\"open\",\"sessions\":%d,\"opened\":%d,\"openNow\":%d,\"errors\":%d,\"openSeconds\":%.3f}%n",
				count, opened, held.alive.get(), errors.count(), openSeconds);
		System.out.flush();
		errors.report("hold");

		TimeUnit.NANOSECONDS.sleep(holdFor.toNanos());
		System.out.println("{\"phase\":\"releasing\"}");
		System.out.flush();
		long dropped = held.release();
		long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT.toNanos();
		while (held.alive.get() > 0 && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(20);
		}
		System.out.printf(Locale.ROOT,
				"{\"phase\":\"closed\",\"opened\":%d,\"dropped\":%d,\"stillOpen\":%d}%n", opened, dropped,
				held.alive.get());
		System.out.flush();
	}

	/** Opens one held session; completes when its handshake is done, the session stays open until released. */
	private static Mono<Void> open(HttpClient client, URI url, HeldSessions held) {
		return Mono.defer(() -> {
			Sinks.Empty<Void> opened = Sinks.empty();
			Disposable session = client.websocket(CLIENT_SPEC).uri(url).handle((in, out) -> {
				held.add(in);
				opened.tryEmitEmpty();
				return held.released().then(out.sendClose(1000, "bench"));
			}).subscribe(null, opened::tryEmitError); // a failure after the handshake counts as dropped
			return opened.asMono().timeout(HANDSHAKE_TIMEOUT).doOnError(ex -> session.dispose());
		});
	}

	/** The sessions held by {@code hold}. */
	private static final class HeldSessions {

		final AtomicInteger opened = new AtomicInteger();

		final AtomicInteger alive = new AtomicInteger();

		private final AtomicLong dropped = new AtomicLong();

		private final Sinks.Empty<Void> release = Sinks.empty();

		private volatile boolean releasing;

		/** Counts an open session until its connection ends; an end before the release is a drop. */
		void add(WebsocketInbound in) {
			opened.incrementAndGet();
			alive.incrementAndGet();
			in.withConnection(connection -> connection.onDispose(() -> {
				if (!releasing) {
					dropped.incrementAndGet();
				}
				alive.decrementAndGet();
			}));
		}

		Mono<Void> released() {
			return release.asMono();
		}

		/** Lets every session close; returns the sessions lost before. */
		long release() {
			releasing = true;
			release.tryEmitEmpty();
			return dropped.get();
		}
	}

	/** The kinds of failure a storm reports, in the order of its JSON. */
	static final List<String> STORM_FAILURES = List.of("connect", "timeout", "handshake", "echo", "dropped");

	/**
	 * The result of a storm.
	 *
	 * @param sessions clients that tried
	 * @param opened sessions that got their 101 and then their echo
	 * @param openNow of those, the ones still open when every session had opened or failed
	 * @param failures sessions that failed, by kind ({@link #STORM_FAILURES}): {@code connect} (the TCP
	 * connection was refused or not accepted), {@code timeout} (no 101 within the timeout), {@code handshake}
	 * (anything else before the 101: another status, a reset, a close), {@code echo} (after the 101, the echo
	 * did not come back within the timeout), {@code dropped} (opened, then closed before the report)
	 * @param absorbSeconds from the start of the first connection to the last echo, -1 when none opened
	 * @param p50Millis median handshake, from the start of the TCP connection to the 101
	 * @param p99Millis 99th percentile of that time
	 * @param maxMillis the slowest handshake
	 * @param cpuMicros CPU time of the watched processes and their descendants from the first connection until
	 * every session had opened or failed, -1 when none is watched
	 * @param backendCpuMicros CPU time of the backends over the same window, -1 when they are not watched
	 * @param startToReadyMillis from the launch of the target to the moment it was seen ready, -1 when not known
	 */
	record StormResult(int sessions, int opened, int openNow, Map<String, Long> failures, double absorbSeconds,
			double p50Millis, double p99Millis, double maxMillis, long cpuMicros, long backendCpuMicros,
			double startToReadyMillis) {

		long failed() {
			return failures.values().stream().mapToLong(Long::longValue).sum();
		}

		String toJson() {
			StringBuilder kinds = new StringBuilder();
			for (String kind : STORM_FAILURES) {
				kinds.append(kinds.isEmpty() ? "" : ",").append('"').append(kind).append("\":")
					.append(failures.getOrDefault(kind, 0L));
			}
			return String.format(Locale.ROOT,
					"{\"sessions\":%d,\"opened\":%d,\"openNow\":%d,\"failed\":%d,\"failures\":{%s},"
							+ "\"absorbSeconds\":%.3f,\"sessionsPerSecond\":%.1f,\"p50Millis\":%.3f,\"p99Millis\":%.3f,"
							+ "\"maxMillis\":%.3f,\"cpuMicros\":%d,\"cpuMicrosPerSession\":%.1f,"
							+ "\"backendCpuMicros\":%d,\"backendCpuMicrosPerSession\":%.1f,\"startToReadyMillis\":%.1f}",
					sessions, opened, openNow, failed(), kinds, absorbSeconds,
					(absorbSeconds > 0) ? opened / absorbSeconds : -1.0, p50Millis, p99Millis, maxMillis, cpuMicros,
					perSession(cpuMicros), backendCpuMicros, perSession(backendCpuMicros), startToReadyMillis);
		}

		private double perSession(long micros) {
			return (micros < 0 || opened == 0) ? -1.0 : (double) micros / opened;
		}
	}

	/** {@code storm}: the command line (see the class comment); its JSON lines go to {@code out}. */
	static void storm(Map<String, String> options, PrintStream out) throws Exception {
		int count = Integer.parseInt(options.getOrDefault("count", "9000"));
		int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "256"));
		int size = Integer.parseInt(options.getOrDefault("size", "64"));
		Duration timeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-seconds", "10")));
		int clockTicks = Integer.parseInt(options.getOrDefault("clock-ticks", "100"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "0"));
		List<URI> warmupUrls = Arrays.stream(options.getOrDefault("warmup-urls", "").split(","))
			.filter(u -> !u.isBlank())
			.map(URI::create)
			.toList();
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		if (warmup > 0 && !warmupUrls.isEmpty()) {
			// The same code path, held and closed as in the storm, so that the client is compiled before it.
			StormResult warm = storm(client, i -> warmupUrls.get(i % warmupUrls.size()), warmup, concurrency, size,
					timeout, CpuClock.of("", clockTicks), CpuClock.of("", clockTicks), -1, result -> {
					});
			System.err.println("client warm-up: " + warm.toJson());
		}
		String pids = options.getOrDefault("cpu-pids", "");
		URI url;
		double startToReady = -1;
		String startFile = options.get("start-file");
		if (startFile != null) {
			out.println("{\"phase\":\"waiting\"}");
			out.flush();
			Map<String, String> start = awaitStartFile(Path.of(startFile), Duration.ofMinutes(10));
			url = URI.create(start.get("url"));
			String pid = start.get("pid");
			pids = pids.isEmpty() ? pid : pids + "," + pid;
			awaitReady(start.getOrDefault("ready", "tcp"), url, pid, Duration.ofSeconds(120));
			double started = Double.parseDouble(start.get("started").replace(',', '.'));
			startToReady = (epochSeconds() - started) * 1000;
		}
		else {
			url = URI.create(options.get("url"));
		}
		URI target = url;
		CpuClock backends = CpuClock.of(options.getOrDefault("backend-pids", ""), clockTicks);
		storm(client, i -> target, count, concurrency, size, timeout, CpuClock.of(pids, clockTicks), backends,
				startToReady, result -> {
					out.println(result.toJson());
					out.flush();
				});
	}

	/** A storm from a fresh client, reported when it is over (for the tests). */
	static StormResult storm(URI url, int count, int concurrency, int size, CpuClock cpu) throws InterruptedException {
		return storm(HttpClient.create(ConnectionProvider.newConnection()), i -> url, count, concurrency, size,
				HANDSHAKE_TIMEOUT, cpu, CpuClock.of("", 100), -1, result -> {
				});
	}

	/**
	 * Opens {@code count} sessions, {@code concurrency} at a time, each to {@code urls.apply(i)}: each sends one
	 * message and waits for its echo. When every session has opened or failed, hands the result to
	 * {@code whenOpen}, then closes them all (Close 1000) and returns it. {@code cpu}: the target's processes
	 * (with their descendants); {@code backendCpu}: the backends'.
	 */
	static StormResult storm(HttpClient client, IntFunction<URI> urls, int count, int concurrency, int size,
			Duration timeout, CpuClock cpu, CpuClock backendCpu, double startToReadyMillis,
			Consumer<StormResult> whenOpen) throws InterruptedException {
		StormSessions sessions = new StormSessions(count);
		long cpuStart = cpu.watches() ? cpu.withDescendants().micros() : 0;
		long backendCpuStart = backendCpu.watches() ? backendCpu.micros() : 0;
		long start = System.nanoTime();
		Flux.range(0, count)
			.flatMap(i -> stormSession(client, urls.apply(i), size, timeout, sessions, i), concurrency)
			.blockLast();
		long cpuMicros = cpu.watches() ? cpu.withDescendants().micros() - cpuStart : -1;
		long backendCpuMicros = backendCpu.watches() ? backendCpu.micros() - backendCpuStart : -1;
		int opened = sessions.opened.get();
		int dropped = sessions.dropped.get();
		Map<String, Long> failures = new HashMap<>();
		sessions.failures.forEach((kind, n) -> failures.put(kind, n.sum()));
		failures.put("dropped", (long) dropped);
		long[] handshakes = sessions.handshakeNanos();
		StormResult result = new StormResult(count, opened, opened - dropped, failures,
				(opened > 0) ? (sessions.lastOpen.get() - start) / 1e9 : -1, percentile(handshakes, 0.50) / 1e6,
				percentile(handshakes, 0.99) / 1e6, (handshakes.length > 0) ? handshakes[handshakes.length - 1] / 1e6 : 0,
				cpuMicros, backendCpuMicros, startToReadyMillis);
		whenOpen.accept(result);
		sessions.errors.report("storm");
		sessions.release();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (sessions.alive.get() > 0 && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(20);
		}
		if (sessions.alive.get() > 0) {
			System.err.println("storm: " + sessions.alive.get() + " sessions still open after closing");
		}
		return result;
	}

	/**
	 * One client of a storm: connects, sends one binary message once the 101 is in, and completes when its
	 * echo is back (or when it failed, counted); the session stays open until the storm is released.
	 */
	private static Mono<Void> stormSession(HttpClient client, URI url, int size, Duration timeout,
			StormSessions sessions, int index) {
		return Mono.defer(() -> {
			long begin = System.nanoTime();
			AtomicBoolean upgraded = new AtomicBoolean();
			AtomicBoolean open = new AtomicBoolean();
			Sinks.Empty<Void> echoed = Sinks.empty();
			Disposable session = client.websocket(CLIENT_SPEC).uri(url).handle((in, out) -> {
				sessions.handshake(index, System.nanoTime() - begin);
				upgraded.set(true);
				sessions.alive.incrementAndGet();
				in.withConnection(connection -> connection.onDispose(() -> sessions.closed(open.get())));
				in.receiveFrames().subscribe(frame -> {
					if (frame instanceof BinaryWebSocketFrame && frame.content().readableBytes() == size) {
						echoed.tryEmitEmpty();
					}
				}, echoed::tryEmitError, () -> echoed.tryEmitError(new IllegalStateException("closed before its echo")));
				return out.sendObject(Mono.fromSupplier(() -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[size]))))
					.then()
					.then(sessions.released())
					.then(out.sendClose(1000, "bench"));
			}).subscribe(null, echoed::tryEmitError);
			return echoed.asMono().timeout(timeout).doOnSuccess(v -> {
				open.set(true);
				sessions.opened(System.nanoTime());
			}).onErrorResume(ex -> {
				session.dispose();
				sessions.failed(ex, upgraded.get());
				return Mono.empty();
			});
		});
	}

	/** The sessions of one storm. */
	private static final class StormSessions {

		final AtomicInteger opened = new AtomicInteger();

		final AtomicInteger alive = new AtomicInteger();

		final AtomicInteger dropped = new AtomicInteger();

		final AtomicLong lastOpen = new AtomicLong();

		final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

		final Errors errors = new Errors();

		private final AtomicLongArray handshakes;

		private final Sinks.Empty<Void> release = Sinks.empty();

		private volatile boolean releasing;

		StormSessions(int count) {
			handshakes = new AtomicLongArray(count);
			for (int i = 0; i < count; i++) {
				handshakes.set(i, -1);
			}
		}

		void handshake(int index, long nanos) {
			handshakes.set(index, nanos);
		}

		void opened(long now) {
			opened.incrementAndGet();
			lastOpen.accumulateAndGet(now, Math::max);
		}

		void failed(Throwable ex, boolean upgraded) {
			String kind;
			if (upgraded) {
				kind = "echo";
			}
			else if (ex instanceof TimeoutException) {
				kind = "timeout";
			}
			else if (ex instanceof ConnectException || ex instanceof ConnectTimeoutException) {
				kind = "connect";
			}
			else {
				kind = "handshake";
			}
			failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
			errors.record(ex);
		}

		/** A session's connection ended: lost, if it had opened and the storm was not released yet. */
		void closed(boolean wasOpen) {
			if (wasOpen && !releasing) {
				dropped.incrementAndGet();
			}
			alive.decrementAndGet();
		}

		Mono<Void> released() {
			return release.asMono();
		}

		void release() {
			releasing = true;
			release.tryEmitEmpty();
		}

		/** The handshake times of the sessions that got their 101, sorted. */
		long[] handshakeNanos() {
			long[] all = new long[handshakes.length()];
			int n = 0;
			for (int i = 0; i < all.length; i++) {
				long nanos = handshakes.get(i);
				if (nanos >= 0) {
					all[n++] = nanos;
				}
			}
			long[] sorted = Arrays.copyOf(all, n);
			Arrays.sort(sorted);
			return sorted;
		}
	}

	/** Reads the {@code key=value} lines of the start file once it exists (written whole, then renamed). */
	private static Map<String, String> awaitStartFile(Path file, Duration limit) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + limit.toNanos();
		while (!Files.exists(file)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("no " + file + " after " + limit);
			}
			TimeUnit.MILLISECONDS.sleep(2);
		}
		Map<String, String> values = new HashMap<>();
		for (String line : Files.readAllLines(file)) {
			int eq = line.indexOf('=');
			if (eq > 0) {
				values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
			}
		}
		return values;
	}

	/**
	 * Polls the target every 5 ms until it is ready: {@code tcp}, its port accepts a connection; otherwise an
	 * HTTP URL that must answer 200 (wsgate's readiness probe).
	 */
	static void awaitReady(String ready, URI url, String pid, Duration limit) throws InterruptedException {
		long deadline = System.nanoTime() + limit.toNanos();
		URI probe = "tcp".equals(ready) ? null : URI.create(ready);
		while (!(probe == null ? accepts(url) : answers200(probe))) {
			if (pid != null && !running(pid)) {
				throw new IllegalStateException("process " + pid + " ended before it was ready");
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("not ready after " + limit + ": " + ready);
			}
			TimeUnit.MILLISECONDS.sleep(5);
		}
	}

	private static boolean accepts(URI url) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean answers200(URI url) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 1000);
			socket.setSoTimeout(2000);
			String path = (url.getRawPath() == null || url.getRawPath().isEmpty()) ? "/" : url.getRawPath();
			socket.getOutputStream()
				.write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
						+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
			return status.startsWith("HTTP/1.") && status.endsWith(" 200");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Whether a process still runs (not ended, not a zombie waiting for its parent). */
	private static boolean running(String pid) {
		try {
			String stat = Files.readString(Path.of("/proc", pid, "stat"));
			return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static double epochSeconds() {
		Instant now = Instant.now();
		return now.getEpochSecond() + now.getNano() / 1e9;
	}

	/** Failures counted by kind; the kinds go to standard error, the JSON carries the count. */
	private static final class Errors {

		private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();

		void record(Throwable ex) {
			String message = String.valueOf(ex.getMessage());
			String kind = ex.getClass().getSimpleName() + ": " + message.substring(0, Math.min(message.length(), 160));
			byKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
		}

		long count() {
			return byKind.values().stream().mapToLong(LongAdder::sum).sum();
		}

		void report(String what) {
			byKind.forEach((kind, n) -> System.err.println(what + ": " + n.sum() + " x " + kind));
		}
	}

	private static long percentile(long[] sorted, double q) {
		return (sorted.length == 0) ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
	}

	/** The state of one load connection; touched only by its event loop. */
	private static final class Connection {

		private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

		/** Text messages: the send time in 16 hex digits, then {@link #FILLER}, cut to the size. */
		private static final byte[] FILLER = ",{\"user\":\"zoë\",\"room\":\"général\",\"text\":\"see you at 8 ☕\"}"
			.getBytes(StandardCharsets.UTF_8);

		private final int size;

		private final boolean text;

		private final long measureStart;

		private final long measureEnd;

		long measured;

		long[] latencies = new long[1 << 16];

		int latencyCount;

		Connection(int size, boolean text, long measureStart, long measureEnd) {
			this.size = Math.max(size, 16);
			this.text = text;
			this.measureStart = measureStart;
			this.measureEnd = measureEnd;
		}

		/** A message carrying its send time at its start. */
		WebSocketFrame next() {
			ByteBuf payload = Unpooled.buffer(size);
			if (!text) {
				payload.writeLong(System.nanoTime());
				payload.writeZero(size - 8);
				return new BinaryWebSocketFrame(payload);
			}
			// Hex digits written and read by hand: a Formatter per message would load the client, which
			// shares the cores with the proxy it measures.
			long now = System.nanoTime();
			for (int shift = 60; shift >= 0; shift -= 4) {
				payload.writeByte(HEX[(int) (now >>> shift) & 0xf]);
			}
			while (payload.writableBytes() >= FILLER.length) {
				payload.writeBytes(FILLER);
			}
			while (payload.isWritable()) {
				payload.writeByte(' ');
			}
			return new TextWebSocketFrame(payload);
		}

		/** Records an echo; false once the run is over. */
		boolean onEcho(ByteBuf content) {
			long now = System.nanoTime();
			long sent = text ? hexTime(content) : content.getLong(content.readerIndex());
			if (now >= measureStart && now < measureEnd && sent >= measureStart) {
				measured++;
				if (latencyCount == latencies.length) {
					latencies = Arrays.copyOf(latencies, latencies.length * 2);
				}
				latencies[latencyCount++] = now - sent;
			}
			return now < measureEnd;
		}

		/** The send time a text message starts with, 16 hex digits. */
		private static long hexTime(ByteBuf content) {
			long time = 0;
			for (int i = 0; i < 16; i++) {
				time = (time << 4) | Character.digit(content.getByte(content.readerIndex() + i), 16);
			}
			return time;
		}
	}
}
