package io.wsgate.runtime;

import java.util.Set;

import io.wsgate.runtime.GatewayRuntime.ServerKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuntimeDiffTests {

	private static final ServerKey A = new ServerKey("chat", "websocketproxy#proxy#main", "ws://a:1");

	private static final ServerKey B = new ServerKey("chat", "websocketproxy#proxy#main", "ws://b:1");

	private static final ServerKey B_IN_OTHER_POOL = new ServerKey("chat", "websocketproxy#proxy#candidate#0", "ws://b:1");

	@Test
	void serversAreKeptOnlyAtTheSamePlaceWithTheSameUrl() {
		RuntimeDiff diff = RuntimeDiff.of(Set.of(A, B), Set.of(A, B_IN_OTHER_POOL), Set.of("edge"), Set.of("edge"));
		assertThat(diff.keptServers()).containsExactly(A);
		assertThat(diff.removedServers()).containsExactly(B);
		assertThat(diff.addedServers()).containsExactly(B_IN_OTHER_POOL);
		assertThat(diff.removesAnything()).isTrue();
	}

	@Test
	void listenersAddedAndRemovedByName() {
		RuntimeDiff diff = RuntimeDiff.of(Set.of(A), Set.of(A), Set.of("edge", "old"), Set.of("edge", "new"));
		assertThat(diff.addedListeners()).containsExactly("new");
		assertThat(diff.removedListeners()).containsExactly("old");
		assertThat(diff.keptServers()).containsExactly(A);
		assertThat(diff.summary()).isEqualTo("servers +0 -0 =1, http servers +1 -1");
	}

	@Test
	void sameConfigurationChangesNothing() {
		RuntimeDiff diff = RuntimeDiff.of(Set.of(A, B), Set.of(B, A), Set.of("edge"), Set.of("edge"));
		assertThat(diff.addedServers()).isEmpty();
		assertThat(diff.removesAnything()).isFalse();
		assertThat(diff.keptServers()).containsExactlyInAnyOrder(A, B);
	}
}
