package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two SDK clients in two Streamable HTTP sessions of one gateway at the same time. Each session has its own
 * connection to (here: its own process of) server-everything, so what is per-session there must stay per-session
 * through the gateway: session resources a tool registers, the roots each client answers, and the server-initiated
 * requests (sampling, elicitation) and progress notifications of each client's own calls, even with identical
 * progress tokens. (server-memory is no witness for this: every process of it shares one MEMORY_FILE_PATH.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConcurrentHttpSessionsIT {
  @TempDir
  Path tmp;
  Peers peers;

  @BeforeEach
  void start() {
    peers = new Peers(tmp.resolve("logs"));
  }

  @AfterEach
  void stopEverything() {
    peers.close();
  }

  @Test
  void twoSessionsDoNotSeeEachOthersState() {
    Path config = new AegisConfig()
        .stdio("everything", List.of(Interop.node(), Interop.everything(), "stdio"), Map.of())
        .gateway("requestTimeout", "10s")
        .write(tmp.resolve("aegis.yaml"));
    int port = Peers.freePort();
    Peer gateway = peers.start("aegis-gateway-http", Interop.gatewayCommand(config, "--listen", "127.0.0.1:" + port),
        Map.of("AEGIS_HOME", Interop.createDir(tmp, "aegis-home").toString()));
    gateway.awaitListening(port, Duration.ofSeconds(30));
    String url = "http://127.0.0.1:" + port + "/mcp";

    Path barrier1 = tmp.resolve("barrier-created");
    Path barrier2 = tmp.resolve("barrier-calls");
    SessionPlan a = plan(url, "a", "b", barrier1, barrier2);
    SessionPlan b = plan(url, "b", "a", barrier1, barrier2);
    Peer clientA = SdkClient.start(peers, tmp, "session-a", a);
    Peer clientB = SdkClient.start(peers, tmp, "session-b", b);
    SessionReport ra = SdkClient.await(clientA, a);
    SessionReport rb = SdkClient.await(clientB, b);

    assertThat(ra.sessionId()).as(ra::describe).isNotNull().isNotEqualTo(rb.sessionId());
    assertOwnStateOnly(ra, "a", "b");
    assertOwnStateOnly(rb, "b", "a");
  }

  private static SessionPlan plan(String url, String me, String other, Path barrier1, Path barrier2) {
    SessionPlan p = SessionPlan.overHttp(url)
        .clientName("aegis-interop-session-" + me)
        .timeout(Duration.ofSeconds(60))
        .declare(true, true, true)
        .samplingAnswer("sampled for session " + me)
        .elicitationAnswer(Map.of("name", "person " + me))
        .roots(Map.of("root-of-session-" + me, barrier1.getParent()));
    p.callTool("create", "everything__gzip-file-as-resource", Map.of("name", "only-" + me + ".gz",
        "data", "data:text/plain;base64," + Base64.getEncoder().encodeToString(me.getBytes(StandardCharsets.UTF_8))));
    p.barrier("both-created", barrier1, me, 2);
    p.listAll("lists");
    p.readResource("read-own", "demo://resource/session/only-" + me + ".gz");
    p.readResource("read-other", "demo://resource/session/only-" + other + ".gz");
    p.callUntil("roots", "everything__get-roots-list", "root-of-session-" + me, Duration.ofSeconds(10));
    p.barrier("both-calling", barrier2, me, 2);
    // these overlap in time: both sessions have a call in flight that the server answers with requests/progress
    p.callTool("progress", "everything__trigger-long-running-operation", Map.of("duration", 1, "steps", 4))
        .put("progressToken", "same-token-in-both-sessions");
    p.callTool("sampling", "everything__trigger-sampling-request", Map.of("prompt", "prompt of session " + me));
    p.callTool("elicitation", "everything__trigger-elicitation-request");
    return p;
  }

  private static void assertOwnStateOnly(SessionReport r, String me, String other) {
    SessionReport.assertCompleted(r);
    assertThat(r.listed("lists", "resources")).as(r::describe)
        .contains("demo://resource/session/only-" + me + ".gz")
        .doesNotContain("demo://resource/session/only-" + other + ".gz");
    assertThat(r.result("read-own").path("contents").get(0).path("blob").isString()).isTrue();
    r.error("read-other");
    assertThat(r.text("roots")).contains("root-of-session-" + me).doesNotContain("root-of-session-" + other);
    assertThat(r.text("sampling")).as(r::describe)
        .contains("sampled for session " + me).doesNotContain("sampled for session " + other);
    assertThat(r.serverRequests("sampling/createMessage")).as(r::describe).singleElement()
        .satisfies(req -> assertThat(req.path("params").toString()).contains("prompt of session " + me));
    assertThat(r.text("elicitation")).as(r::describe).contains("- Name: person " + me);
    assertThat(r.serverRequests("elicitation/create")).as(r::describe).hasSize(1);
    List<JsonNode> progress = r.notifications("notifications/progress");
    assertThat(progress).as(r::describe)
        .extracting(n -> n.path("params").path("progress").asInt())
        .containsExactly(1, 2, 3, 4);
  }
}
