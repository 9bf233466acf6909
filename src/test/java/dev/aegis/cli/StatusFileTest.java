package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.ConfigLoader;
import dev.aegis.config.GatewayConfig;
import dev.aegis.gateway.Gateway;
import dev.aegis.gateway.GatewayLog;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What the status file says about each server's sandbox: the profile and where the choice came from. */
class StatusFileTest {
  @Test
  void eachServerShowsItsEffectiveProfileAndWhy() throws Exception {
    GatewayConfig config = ConfigLoader.parse("/cfg/aegis.yaml", """
        servers:
          app: {command: node, args: [server.js]}
          named: {command: node, args: [server.js], sandbox: fetch}
          loose: {command: node, args: [server.js], sandbox: false}
          npx: {command: npx, args: [-y, some-mcp-server]}
          remote: {url: "http://127.0.0.1:1/mcp"}
        """.getBytes(StandardCharsets.UTF_8)).config();
    try (Gateway gw = new Gateway(config, List.of(), (e, r, n) -> { },
        new GatewayLog(new PrintStream(OutputStream.nullOutputStream()), false))) {
      ObjectNode status = StatusFile.snapshot(gw, config, null, null, Instant.EPOCH);
      JsonNode s = status.path("servers");
      assertThat(s.get(0).path("sandbox").asString()).isEqualTo("strict");
      assertThat(s.get(0).path("sandboxChoice").asString()).isEqualTo("strict (default)");
      assertThat(s.get(1).path("sandboxChoice").asString()).isEqualTo("fetch");
      assertThat(s.get(2).path("sandbox").asString()).isEqualTo("off");
      assertThat(s.get(2).path("sandboxChoice").asString()).isEqualTo("off (sandbox: false)");
      assertThat(s.get(3).path("sandboxChoice").asString()).startsWith("off (default: started by npx");
      assertThat(s.get(4).path("sandbox").asString()).isEqualTo("off");
      assertThat(s.get(4).has("sandboxChoice")).isFalse();
    }
  }
}
