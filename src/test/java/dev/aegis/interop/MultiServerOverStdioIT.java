package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The multi-server contract with the SDK client launching the gateway as its stdio server. */
class MultiServerOverStdioIT extends MultiServerSessionContract {

  @Override
  String transport() {
    return "stdio";
  }

  @Override
  SessionPlan connect(Peers peers, Path config, Map<String, String> gatewayEnv) {
    return SessionPlan.overStdio(Interop.gatewayCommand(config), gatewayEnv);
  }

  @Override
  String gatewayLog() {
    return report.clientStderr();
  }

  @Test
  void theGatewayExitsWithItsClientAndStopsItsUpstreams() {
    // the gateway's command line names the config file and server-filesystem's names its folder: both under tmp
    String marker = tmp.toString();
    await("no process left with " + marker + " on its command line")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(processesMentioning(marker)).isEmpty());
  }

  private static List<String> processesMentioning(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
        .toList();
  }
}
