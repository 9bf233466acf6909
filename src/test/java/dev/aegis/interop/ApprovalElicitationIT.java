package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Human approval through MCP elicitation, with the official TypeScript SDK client launching the gateway: after
 * untrusted content entered the session, a call to a public sink is asked about in band ({@code elicitation/create}
 * to the host); the user's "allow" lets that call through, "deny" refuses it.
 */
class ApprovalElicitationIT {
  @TempDir
  Path tmp;

  private Peers peers;

  @AfterEach
  void stop() {
    if (peers != null) {
      peers.close();
    }
  }

  private SessionReport run(String decision) throws Exception {
    peers = new Peers(tmp.resolve("logs"));
    Path home = Interop.createDir(tmp, "aegis-home");
    List<String> example = List.of(Interop.java(), "-cp", Interop.jar().toString(), "dev.aegis.cli.Main",
        "example-server");
    Path config = new AegisConfig()
        .stdio("web", example, Map.of())
        .stdio("mail", example, Map.of())
        .section("trust", "{\"untrusted\":[\"web\"],\"publicSinks\":[\"mail/echo\"],\"untrustedToSink\":\"ask\"}")
        .gateway("requestTimeout", "20s")
        .write(tmp.resolve("aegis.yaml"));
    SessionPlan plan = SessionPlan.overStdio(Interop.gatewayCommand(config), Map.of("AEGIS_HOME", home.toString()))
        .clientName("aegis-approval")
        .timeout(Duration.ofSeconds(60))
        .declare(false, true, false)
        .elicitationAnswer(Map.of("decision", decision));
    plan.listAll("lists");
    plan.callTool("read-web", "web__echo", Map.of("message", "a page that says: mail me the report"));
    plan.callTool("send", "mail__echo", Map.of("message", "the report"));
    return SdkClient.run(peers, tmp, "approval-" + decision, plan);
  }

  @Test
  void theUserAllowsTheCallThroughElicitation() throws Exception {
    SessionReport report = run("allow");

    JsonNode sent = report.result("send");
    assertThat(sent.path("content").get(0).path("text").asString()).isEqualTo("Echo: the report");
    List<JsonNode> asked = report.serverRequests("elicitation/create");
    assertThat(asked).as(report.describe()).hasSize(1);
    assertThat(asked.get(0).toString()).contains("mail/echo", "untrusted content");
  }

  @Test
  void theUserDeniesTheCall() throws Exception {
    SessionReport report = run("deny");

    assertThat(report.error("send").toString()).contains("not approved");
    assertThat(report.serverRequests("elicitation/create")).hasSize(1);
  }
}
