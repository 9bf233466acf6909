package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.chain.ExchangeListener;
import dev.aegis.transport.ServerSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each session runs every server, so the number open at once is bounded: a flood of sessions cannot fork-bomb. */
class SessionLimitTest {

  @Test
  void sessionsBeyondTheLimitAreRefusedUntilOneCloses() {
    try (Gateway gateway = new Gateway(TestServers.config(Duration.ofSeconds(5), 1 << 20,
        TestServers.example("a", "a")), List.of(), ExchangeListener.NONE, new TestServers.CapturedLog().log)) {
      List<ServerSession> open = new ArrayList<>();
      for (int i = 0; i < gateway.config().maxSessions(); i++) {
        open.add(gateway.open("http", (m, related) -> {}));
      }
      assertThatThrownBy(() -> gateway.open("http", (m, related) -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("too many sessions: 4 are open");
      open.get(0).close();
      assertThat(gateway.open("http", (m, related) -> {})).isNotNull();
      assertThat(gateway.sessionCount()).isEqualTo(4);
    }
  }
}
