package io.wsgate.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

/**
 * A DNS server for tests on a loopback UDP port: answers A queries for the names it is given with
 * their addresses (TTL 0), AAAA queries with no record, other names with NXDOMAIN, and every query
 * with SERVFAIL while {@link #fail} is on. The gateway's resolver is pointed at it with the
 * test-only property {@code wsgate-test.dns-server}; no test touches the network.
 */
public final class TestDnsServer implements AutoCloseable {

	private final Map<String, List<String>> names = new ConcurrentHashMap<>();

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Channel channel;

	/** A queries answered so far, per name. */
	public final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();

	private volatile boolean failing;

	public TestDnsServer() {
		this.channel = new Bootstrap().group(group)
			.channel(NioDatagramChannel.class)
			.handler(new ChannelInitializer<DatagramChannel>() {
				@Override
				protected void initChannel(DatagramChannel ch) {
					ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answerer());
				}
			})
			.bind("127.0.0.1", 0)
			.syncUninterruptibly()
			.channel();
	}

	/** host:port, the value of {@code wsgate-test.dns-server}. */
	public String address() {
		return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
	}

	/** Answers this name with these addresses from now on. */
	public void answer(String name, String... addresses) {
		names.put(name.toLowerCase(Locale.ROOT), List.of(addresses));
	}

	/** Answers every query with SERVFAIL (true) or normally again (false). */
	public void fail(boolean failing) {
		this.failing = failing;
	}

	public int queries(String name) {
		AtomicInteger count = queries.get(name);
		return (count != null) ? count.get() : 0;
	}

	@Override
	public void close() {
		channel.close().syncUninterruptibly();
		group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
	}

	private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) throws UnknownHostException {
			DnsQuestion question = query.recordAt(DnsSection.QUESTION);
			DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
			response.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
			response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
			String name = question.name().toLowerCase(Locale.ROOT);
			if (name.endsWith(".")) {
				name = name.substring(0, name.length() - 1);
			}
			List<String> addresses = names.get(name);
			if (failing) {
				response.setCode(DnsResponseCode.SERVFAIL);
			}
			else if (addresses == null) {
				response.setCode(DnsResponseCode.NXDOMAIN);
			}
			else if (question.type() == DnsRecordType.A) {
				queries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
				for (String address : addresses) {
					response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 0,
							Unpooled.wrappedBuffer(InetAddress.getByName(address).getAddress())));
				}
			}
			ctx.writeAndFlush(response);
		}
	}
}
