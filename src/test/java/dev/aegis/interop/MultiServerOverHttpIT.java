package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The multi-server contract with the SDK client speaking Streamable HTTP to {@code aegis gateway --listen}. */
class MultiServerOverHttpIT extends MultiServerSessionContract {
  private Peer gateway;

  @Override
  String transport() {
    return "http";
  }

  @Override
  SessionPlan connect(Peers peers, Path config, Map<String, String> gatewayEnv) {
    int port = Peers.freePort();
    gateway = peers.start("aegis-gateway-http", Interop.gatewayCommand(config, "--listen", "127.0.0.1:" + port),
        gatewayEnv);
    gateway.awaitListening(port, Duration.ofSeconds(30));
    return SessionPlan.overHttp("http://127.0.0.1:" + port + "/mcp");
  }

  @Override
  String gatewayLog() {
    return gateway.stderr();
  }

  @Test
  void deletingTheSessionStopsItsUpstreamProcesses() {
    // the client ends with DELETE /mcp; the gateway keeps running, without the session's three child processes
    assertThat(report.sessionId()).as(report::describe).isNotNull();
    await("the gateway's child processes gone after the session's DELETE")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(gateway.process().descendants()
            .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList()).isEmpty());
    assertThat(gateway.process().isAlive()).isTrue();
  }
}
