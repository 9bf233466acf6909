package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Four real servers behind one gateway at once: server-everything over stdio, a second server-everything over
 * Streamable HTTP (started here on a free port, configured as a {@code url:} upstream), server-filesystem on a
 * temporary folder holding a known file, and server-memory on a temporary file. One scripted session of the official
 * TypeScript SDK client runs through the gateway; each test then asserts one behaviour on its report. Subclasses say
 * how the client reaches the gateway (stdio or Streamable HTTP), so both transports meet the same contract.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MultiServerSessionContract {
  static final String SAMPLING_ANSWER = "canned sampling answer 7f3a";
  static final String ELICITED_NAME = "Ada Lovelace";
  static final String TEXT_TEMPLATE = "demo://resource/dynamic/text/{resourceId}";

  Path tmp;
  Peers peers;
  Path dirA;
  Path dirB;
  Path dirC;
  String knownText;
  SessionReport report;

  /** "stdio" or "http": names this run in tokens, file names and failure messages. */
  abstract String transport();

  /** Starts whatever the client connects to and returns the plan's start, connected to the gateway. */
  abstract SessionPlan connect(Peers peers, Path config, Map<String, String> gatewayEnv);

  /** The gateway's log (its stderr) once the session is over. */
  abstract String gatewayLog();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void runOneSessionThroughTheGateway(@TempDir Path tmp) throws Exception {
    this.tmp = tmp;
    peers = new Peers(tmp.resolve("logs"));
    Path home = Interop.createDir(tmp, "aegis-home");
    // server-filesystem runs under the sandbox default (profile filesystem: the folders in its arguments), so the
    // client's roots, which replace its allowed directories, must lie inside its argument folder to be reachable
    Path roots = Interop.createDir(tmp, "roots");
    dirA = Interop.createDir(roots, "files-a");
    dirB = Interop.createDir(roots, "files-b");
    dirC = Interop.createDir(roots, "files-c");
    knownText = "known file for the " + transport() + " run " + UUID.randomUUID();
    Files.writeString(dirA.resolve("known.txt"), knownText);

    int remotePort = Peers.freePort();
    Peer remote = peers.start("everything-streamableHttp",
        List.of(Interop.node(), Interop.everything(), "streamableHttp"), Map.of("PORT", String.valueOf(remotePort)));
    remote.awaitListening(remotePort, Duration.ofSeconds(20));

    Path config = new AegisConfig()
        .stdio("everything", List.of(Interop.node(), Interop.everything(), "stdio"), Map.of())
        .url("remote", "http://127.0.0.1:" + remotePort + "/mcp")
        .stdio("filesystem", List.of(Interop.node(), Interop.filesystem(), roots.toString()), Map.of())
        .stdio("memory", List.of(Interop.node(), Interop.memory()),
            Map.of("MEMORY_FILE_PATH", tmp.resolve("memory.jsonl").toString()))
        .gateway("requestTimeout", "10s")
        .gateway("startupTimeout", "20s")
        .gateway("pageSize", 10)
        .write(tmp.resolve("aegis.yaml"));

    SessionPlan plan = connect(peers, config, Map.of("AEGIS_HOME", home.toString()))
        .clientName("aegis-interop-" + transport())
        .timeout(Duration.ofSeconds(60))
        .declare(true, true, true)
        .samplingAnswer(SAMPLING_ANSWER)
        .elicitationAnswer(Map.of("name", ELICITED_NAME))
        .roots(ordered("root-a", dirA, "root-b", dirB));
    script(plan);
    report = SdkClient.run(peers, tmp, transport(), plan);
  }

  private void script(SessionPlan plan) {
    plan.listAll("lists");
    plan.callTool("echo", "everything__echo", Map.of("message", "through " + transport()));
    plan.callTool("echo-remote", "remote__echo", Map.of("message", "remote through " + transport()));
    plan.callTool("everything-env", "everything__get-env", Map.of());
    plan.callTool("fs-read", "filesystem__read_text_file", Map.of("path", dirA.resolve("known.txt").toString()));
    plan.callUntil("fs-roots", "filesystem__list_allowed_directories", dirB.toString(), Duration.ofSeconds(10));
    plan.setRoots("roots-changed", ordered("root-a", dirA, "root-c", dirC));
    plan.callUntil("fs-roots-changed", "filesystem__list_allowed_directories", dirC.toString(), Duration.ofSeconds(10));
    plan.callUntil("everything-roots", "everything__get-roots-list", "root-c", Duration.ofSeconds(10));
    plan.callTool("memory-create", "memory__create_entities", Map.of("entities", List.of(Map.of(
        "name", "aegis-" + transport(), "entityType", "interop-test",
        "observations", List.of("created through the gateway over " + transport())))));
    plan.callTool("memory-read", "memory__read_graph");
    plan.readResource("resource-static", "demo://resource/static/document/features.md");
    plan.readResource("resource-templated", "demo://resource/dynamic/text/3");
    plan.getPrompt("prompt", "everything__args-prompt", Map.of("city", "Lisbon", "state", "Lisboa"));
    plan.callTool("progress", "everything__trigger-long-running-operation", Map.of("duration", 0.6, "steps", 3))
        .put("progressToken", progressToken("everything"));
    plan.callTool("progress-remote", "remote__trigger-long-running-operation", Map.of("duration", 0.6, "steps", 3))
        .put("progressToken", progressToken("remote"));
    plan.callTool("sampling", "everything__trigger-sampling-request",
        Map.of("prompt", "sample for " + transport(), "maxTokens", 20));
    plan.callTool("sampling-remote", "remote__trigger-sampling-request",
        Map.of("prompt", "remote sample for " + transport(), "maxTokens", 20));
    plan.callTool("elicitation", "everything__trigger-elicitation-request");
    plan.completePrompt("complete-prompt", "everything__completable-prompt", "department", "Eng");
    plan.completeTemplate("complete-template", TEXT_TEMPLATE, "resourceId", "7");
    plan.setLevel("level-quiet", "emergency");
    plan.subscribe("subscribe-quiet", "demo://resource/dynamic/text/1");
    plan.setLevel("level-loud", "debug");
    plan.subscribe("subscribe-loud", "demo://resource/dynamic/text/2");
    plan.waitFor("log-loud", "notifications/message", "demo://resource/dynamic/text/2", Duration.ofSeconds(10));
    plan.callTool("updates-on", "everything__toggle-subscriber-updates");
    plan.waitFor("updated", "notifications/resources/updated", "demo://resource/dynamic/text/2",
        Duration.ofSeconds(10));
    plan.callTool("updates-off", "everything__toggle-subscriber-updates");
    plan.callTool("session-resource", "everything__gzip-file-as-resource", Map.of(
        "name", sessionResourceName(),
        "data", "data:text/plain;base64," + Base64.getEncoder().encodeToString(
            ("zipped over " + transport()).getBytes(StandardCharsets.UTF_8))));
    plan.waitFor("resources-changed", "notifications/resources/list_changed", null, Duration.ofSeconds(10));
    plan.listAll("lists-after");
    plan.readResource("session-resource-read", "demo://resource/session/" + sessionResourceName());
    plan.callTool("unknown-tool", "nosuch__tool");
    plan.request("unknown-method", "aegis-interop/no-such-method");
    plan.step("ping", "ping");
  }

  @AfterAll
  void stopEverything() {
    if (peers != null) {
      peers.close();
    }
  }

  private String progressToken(String server) {
    return "aegis-progress-" + server + "-" + transport();
  }

  private String sessionResourceName() {
    return "aegis-" + transport() + ".txt.gz";
  }

  private static Map<String, Path> ordered(String n1, Path p1, String n2, Path p2) {
    Map<String, Path> m = new LinkedHashMap<>();
    m.put(n1, p1);
    m.put(n2, p2);
    return m;
  }

  // ------------------------------------------------------------------------------------------ assertions

  @Test
  void sessionRanToTheEnd() {
    SessionReport.assertCompleted(report);
    assertThat(report.root().path("serverInfo").path("name").asString()).as(report::describe).isEqualTo("aegis");
  }

  @Test
  void listsTheNamespacedToolsOfAllFourServersFollowingPagination() {
    List<String> tools = report.listed("lists", "tools");
    assertThat(tools).as(report::describe)
        .contains("everything__echo", "everything__trigger-long-running-operation",
            "everything__trigger-sampling-request", "everything__trigger-elicitation-request",
            "remote__echo", "remote__trigger-sampling-request",
            "filesystem__read_text_file", "filesystem__list_allowed_directories",
            "memory__create_entities", "memory__read_graph")
        .doesNotHaveDuplicates()
        .allMatch(t -> t.matches("(everything|remote|filesystem|memory)__[A-Za-z0-9_-]+"), "prefixed by its server");
    assertThat(report.pages("lists", "tools")).as("pages of 10 tools").isGreaterThan(1);
  }

  @Test
  void listsPromptsResourcesAndTemplatesAcrossServers() {
    assertThat(report.listed("lists", "prompts")).as(report::describe)
        .contains("everything__args-prompt", "everything__completable-prompt", "remote__args-prompt")
        .doesNotHaveDuplicates();
    assertThat(report.listed("lists", "resources")).as(report::describe)
        .contains("demo://resource/static/document/features.md")
        .doesNotHaveDuplicates();
    assertThat(report.listed("lists", "resourceTemplates")).as(report::describe)
        .contains(TEXT_TEMPLATE)
        .doesNotHaveDuplicates();
  }

  @Test
  void echoesThroughTheStdioEverything() {
    assertThat(report.text("echo")).isEqualTo("Echo: through " + transport());
  }

  @Test
  void echoesThroughTheRemoteEverything() {
    assertThat(report.text("echo-remote")).isEqualTo("Echo: remote through " + transport());
  }

  @Test
  void stdioServersRunUnderTheSandboxDefaultWithNoSandboxConfiguration() {
    // a cleared environment and the sandbox's own home: the gateway's AEGIS_HOME did not reach the server
    assertThat(report.text("everything-env")).contains("/home/aegis").doesNotContain("AEGIS_HOME");
  }

  @Test
  void readsTheKnownFileThroughFilesystem() {
    assertThat(report.text("fs-read")).isEqualTo(knownText);
  }

  @Test
  void answersRootsListFromTheClientAndRelaysRootsChanges() {
    // server-filesystem replaces its allowed directories with the client's roots once it has them
    assertThat(report.text("fs-roots")).contains(dirA.toString(), dirB.toString());
    assertThat(report.result("roots-changed")).isNotNull();
    assertThat(report.text("fs-roots-changed")).contains(dirA.toString(), dirC.toString())
        .doesNotContain(dirB.toString());
    assertThat(report.text("everything-roots")).contains("root-a", "root-c");
    assertThat(report.serverRequests("roots/list")).as(report::describe)
        // filesystem at start and after the change; everything at least once (it asks 350 ms after initialized and
        // only listens for changes from then on, so it may see the changed roots in its first answer)
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void createsAMemoryEntityThenReadsItInTheGraph() {
    assertThat(report.text("memory-create")).contains("aegis-" + transport());
    JsonNode graph = report.result("memory-read").path("structuredContent");
    assertThat(graph.path("entities").values()).as(report::describe)
        .anySatisfy(e -> {
          assertThat(e.path("name").asString()).isEqualTo("aegis-" + transport());
          assertThat(e.path("observations").get(0).asString()).isEqualTo("created through the gateway over "
              + transport());
        });
  }

  @Test
  void readsResourcesAndGetsPrompts() {
    assertThat(report.text("resource-static")).contains("Everything Server - Features");
    assertThat(report.result("resource-templated").path("contents").get(0).path("uri").asString())
        .isEqualTo("demo://resource/dynamic/text/3");
    assertThat(report.text("resource-templated")).startsWith("Resource 3:");
    assertThat(report.text("prompt")).isEqualTo("What's weather in Lisbon, Lisboa?");
  }

  @Test
  void relaysProgressCarryingTheClientsToken() {
    assertThat(report.text("progress")).contains("Long running operation completed");
    assertProgress("everything");
  }

  @Test
  void relaysProgressFromTheRemoteUpstream() {
    assertThat(report.text("progress-remote")).contains("Long running operation completed");
    assertProgress("remote");
  }

  private void assertProgress(String server) {
    List<JsonNode> progress = report.notifications("notifications/progress").stream()
        .filter(n -> progressToken(server).equals(n.path("params").path("progressToken").stringValue(null)))
        .toList();
    assertThat(progress).as(report::describe)
        .extracting(n -> n.path("params").path("progress").asInt())
        .containsExactly(1, 2, 3);
    assertThat(progress).allSatisfy(n -> assertThat(n.path("params").path("total").asInt()).isEqualTo(3));
  }

  @Test
  void relaysSamplingToTheClientAndItsAnswerToTheServer() {
    assertThat(report.text("sampling")).contains(SAMPLING_ANSWER);
    assertThat(report.serverRequests("sampling/createMessage")).as(report::describe)
        .anySatisfy(r -> assertThat(r.path("params").toString()).contains("sample for " + transport()));
  }

  @Test
  void relaysSamplingFromTheRemoteUpstream() {
    assertThat(report.text("sampling-remote")).contains(SAMPLING_ANSWER);
    assertThat(report.serverRequests("sampling/createMessage")).as(report::describe)
        .anySatisfy(r -> assertThat(r.path("params").toString()).contains("remote sample for " + transport()));
  }

  @Test
  void relaysElicitationToTheClientAndItsAnswerToTheServer() {
    assertThat(report.text("elicitation")).contains("- Name: " + ELICITED_NAME);
    assertThat(report.serverRequests("elicitation/create")).as(report::describe).hasSize(1);
  }

  @Test
  void completesPromptArgumentsAndTemplateVariables() {
    assertThat(report.result("complete-prompt").path("completion").path("values").values())
        .extracting(JsonNode::asString).containsExactly("Engineering");
    assertThat(report.result("complete-template").path("completion").path("values").values())
        .extracting(JsonNode::asString).containsExactly("7");
  }

  @Test
  void forwardsTheLoggingLevelToTheServers() {
    report.result("level-quiet");
    report.result("level-loud");
    report.result("log-loud");
    // everything logs each subscribe at level info, before it answers: at 'emergency' that log must not come
    assertThat(report.notifications("notifications/message")).as(report::describe)
        .noneMatch(n -> n.path("params").toString().contains("demo://resource/dynamic/text/1"));
  }

  @Test
  void relaysResourceSubscriptionsAndUpdates() {
    report.result("subscribe-quiet");
    report.result("subscribe-loud");
    assertThat(report.result("updated").path("params").path("uri").asString())
        .isEqualTo("demo://resource/dynamic/text/2");
  }

  @Test
  void relaysListChangedAndListsTheNewSessionResource() {
    report.result("session-resource");
    report.result("resources-changed");
    String uri = "demo://resource/session/" + sessionResourceName();
    assertThat(report.listed("lists-after", "resources")).as(report::describe).contains(uri);
    assertThat(report.result("session-resource-read").path("contents").get(0).path("blob").isString()).isTrue();
  }

  @Test
  void takesTheRemotesSseEventsWithoutDataForNoMessage() {
    // server-everything over Streamable HTTP opens each SSE stream with a priming event: an id and an empty data
    // field (for resumption). Per the SSE rules an event with empty data is not dispatched; it is no JSON-RPC message.
    report.result("echo-remote");
    assertThat(gatewayLog().lines().filter(l -> l.contains("sent an invalid message")))
        .as("gateway log lines about invalid upstream messages").isEmpty();
  }

  @Test
  void unknownToolIsAJsonRpcInvalidParamsError() {
    JsonNode error = report.error("unknown-tool");
    assertThat(error.path("code").asInt()).as(report::describe).isEqualTo(-32602);
    assertThat(error.path("message").asString()).contains("nosuch__tool");
  }

  @Test
  void unknownMethodIsAJsonRpcMethodNotFoundError() {
    assertThat(report.error("unknown-method").path("code").asInt()).as(report::describe).isEqualTo(-32601);
    report.result("ping");
  }
}
