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
