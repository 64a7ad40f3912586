package io.wsgate.pool;

import java.net.InetSocketAddress;

import io.wsgate.config.PoolSpec.ServerSpec;
import io.wsgate.config.TestSpecs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerTests {

	@Test
	void anIpLiteralIsDialledAsItIsAndANameIsLeftToTheDialsResolver() {
		InetSocketAddress v4 = server("ws://10.0.0.1:9000").socketAddress();
		assertThat(v4.isUnresolved()).isFalse();
		assertThat(v4.getAddress().getHostAddress()).isEqualTo("10.0.0.1");
		assertThat(v4.getPort()).isEqualTo(9000);

		InetSocketAddress v6 = server("wss://[::1]:8443").socketAddress();
		assertThat(v6.isUnresolved()).isFalse();
		assertThat(v6.getAddress().isLoopbackAddress()).isTrue();
		assertThat(v6.getPort()).isEqualTo(8443);

		InetSocketAddress named = server("ws://chat.svc").socketAddress();
		assertThat(named.isUnresolved()).isTrue();
		assertThat(named.getHostString()).isEqualTo("chat.svc");
		assertThat(named.getPort()).isEqualTo(80);
	}

	private static Server server(String url) {
		return Server.of(TestSpecs.spec(ServerSpec.class, "url", url));
	}
}
