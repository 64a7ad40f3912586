package io.wsgate.request;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTests {

	private final TrustedProxies balancers = TrustedProxies.of(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

	@Test
	void addressesAndRangesOfBothFamiliesAreTrusted() {
		assertThat(balancers.trusts("10.1.2.3")).isTrue();
		assertThat(balancers.trusts("192.0.2.7")).isTrue();
		assertThat(balancers.trusts("fd12::1")).isTrue();
		assertThat(balancers.trusts("192.0.2.8")).isFalse();
		assertThat(balancers.trusts("11.0.0.1")).isFalse();
		assertThat(balancers.trusts("localhost")).as("names are never trusted, nor resolved").isFalse();
		assertThat(TrustedProxies.NONE.trusts("10.1.2.3")).isFalse();
	}

	@Test
	void theClientIsTheRightmostForwardedAddressThatIsNoTrustedProxy() {
		assertThat(balancers.clientIp("10.0.0.2", List.of("203.0.113.5"))).isEqualTo("203.0.113.5");
		assertThat(balancers.clientIp("10.0.0.2", List.of("198.51.100.1, 203.0.113.5, 10.0.0.9")))
			.as("a client's forged first entry is skipped; the inner balancer is trusted").isEqualTo("203.0.113.5");
		assertThat(balancers.clientIp("10.0.0.2", List.of("198.51.100.1", "203.0.113.5"))).as("several headers")
			.isEqualTo("203.0.113.5");
		assertThat(balancers.clientIp("10.0.0.2", List.of("10.0.0.8, 10.0.0.9"))).as("all trusted: the leftmost")
			.isEqualTo("10.0.0.8");
		assertThat(balancers.clientIp("10.0.0.2", List.of())).isEqualTo("10.0.0.2");
	}

	@Test
	void aPeerThatIsNoTrustedProxyIsTheClientWhateverItForwards() {
		assertThat(balancers.clientIp("203.0.113.9", List.of("198.51.100.1"))).isEqualTo("203.0.113.9");
	}

	@Test
	void aForwardedValueThatIsNoAddressLeavesThePeerAsTheClient() {
		assertThat(balancers.clientIp("10.0.0.2", List.of("unknown"))).isEqualTo("10.0.0.2");
	}

	@Test
	void entriesThatAreNoAddressOrRangeAreRejected() {
		assertThatThrownBy(() -> TrustedProxies.of(List.of("lb.example.com")))
			.hasMessage("'lb.example.com' is not an IP address or a CIDR range");
		assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33"))).hasMessage("'10.0.0.0/33': the prefix length must be 0..32");
		assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/x"))).hasMessage("'10.0.0.0/x': the prefix length must be 0..32");
	}
}
