package dev.aegis.gateway;

import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Configurations with the bundled example server (a real child JVM) as upstream. */
final class TestServers {
  private TestServers() {}

  static ServerConfig example(String name, String prefix) {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ServerConfig(name, prefix, new ServerConfig.Stdio(List.of(java, "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.aegis.cli.Main", "example-server",
        "--test-tools"), Map.of(), null));
  }

  static GatewayConfig config(Duration requestTimeout, int maxBytes, ServerConfig... servers) {
    return new GatewayConfig(List.of(servers), maxBytes, requestTimeout, Duration.ofSeconds(20),
        Duration.ofMillis(500), List.of(), 0, 4);
  }

  /**
   * Sandbox settings under which each of {@code servers} may also write {@code dir} (where a fixture keeps its
   * record), strict otherwise; the other servers get the automatic default. With degrade, so that where bubblewrap is
   * missing they start unsandboxed with a warning, as the automatic default would.
   */
  static dev.aegis.config.SandboxConfig writing(java.nio.file.Path dir, String... servers) {
    dev.aegis.config.SandboxConfig.Profile p = new dev.aegis.config.SandboxConfig.Profile(false, List.of(),
        List.of(dir.toString()), List.of(), "none", dev.aegis.config.SandboxConfig.Limits.DEFAULT);
    Map<String, String> chosen = new java.util.HashMap<>();
    for (String s : servers) {
      chosen.put(s, "fixture");
    }
    return new dev.aegis.config.SandboxConfig(Map.of("fixture", p), dev.aegis.config.SandboxConfig.AUTO, true,
        chosen);
  }

  /** A log that tests can read. */
  static final class CapturedLog {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final GatewayLog log = new GatewayLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
