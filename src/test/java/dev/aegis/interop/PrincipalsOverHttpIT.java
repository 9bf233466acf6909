package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.identity.StaticKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two principals, one gateway ({@code aegis gateway --listen} with API keys and a policy), each driven by the official
 * TypeScript SDK client over Streamable HTTP: they see different tool lists and get different decisions.
 */
class PrincipalsOverHttpIT {
  @TempDir
  Path tmp;

  private Peers peers;

  @AfterEach
  void stop() {
    if (peers != null) {
      peers.close();
    }
  }

  @Test
  void twoPrincipalsSeeDifferentToolsAndGetDifferentDecisions() throws Exception {
    peers = new Peers(tmp.resolve("logs"));
    String opsKey = StaticKeys.generate();
    String readerKey = StaticKeys.generate();
    Path policy = tmp.resolve("policy.yaml");
    Files.writeString(policy, """
        version: 1
        default: deny
        rules:
          - id: ops-all
            principals: ["group:ops"]
            effect: allow
          - id: reader-echo
            principals: [reader]
            tools: [echo]
            effect: allow
        """);
    List<String> example = List.of(Interop.java(), "-cp", Interop.jar().toString(), "dev.aegis.cli.Main",
        "example-server");
    Path config = new AegisConfig()
        .stdio("a", example, Map.of())
        .section("identity", "{\"keys\":[{\"hash\":\"" + StaticKeys.hash(opsKey) + "\",\"principal\":\"olga\","
            + "\"groups\":[\"ops\"]},{\"hash\":\"" + StaticKeys.hash(readerKey) + "\",\"principal\":\"reader\"}]}")
        .section("policy", "{\"file\":\"" + policy.toString().replace("\\", "\\\\") + "\"}")
        .write(tmp.resolve("aegis.yaml"));
    int port = Peers.freePort();
    Peer gateway = peers.start("aegis-gateway", Interop.gatewayCommand(config, "--listen", "127.0.0.1:" + port),
        Map.of("AEGIS_HOME", Interop.createDir(tmp, "home").toString()));
    gateway.awaitListening(port, Duration.ofSeconds(30));
    String url = "http://127.0.0.1:" + port + "/mcp";

    SessionReport ops = session(url, opsKey, "ops");
    SessionReport reader = session(url, readerKey, "reader");

    assertThat(toolNames(ops)).contains("a__echo", "a__add");
    assertThat(toolNames(reader)).containsExactly("a__echo");
    assertThat(ops.result("add").path("content").get(0).path("text").asString()).isEqualTo("3.0");
    assertThat(reader.error("add").toString()).contains("a__add");
    assertThat(reader.result("echo").path("content").get(0).path("text").asString()).isEqualTo("Echo: hi");
  }

  private SessionReport session(String url, String key, String name) {
    SessionPlan plan = SessionPlan.overHttp(url, Map.of("Authorization", "Bearer " + key))
        .clientName("principal-" + name)
        .timeout(Duration.ofSeconds(45));
    plan.listAll("lists");
    plan.callTool("echo", "a__echo", Map.of("message", "hi"));
    plan.callTool("add", "a__add", Map.of("a", 1, "b", 2));
    return SdkClient.run(peers, tmp, name, plan);
  }

  private static List<String> toolNames(SessionReport report) {
    List<String> names = new ArrayList<>();
    JsonNode tools = report.result("lists").path("tools");
    JsonNode list = tools.has("names") ? tools.get("names") : tools;
    list.forEach(n -> names.add(n.isString() ? n.asString() : n.path("name").asString()));
    return names;
  }
}
