package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP Inspector's CLI mode ({@code inspector --cli}) against the gateway, with server-everything and
 * server-memory behind it. Two things about the Inspector worth knowing: it treats {@code --config} as its own
 * option, so the gateway command goes after {@code --}; and like the SDK's stdio transport it gives the server only a
 * safe default environment (HOME, PATH, ...), so {@code AEGIS_HOME} has to be passed with {@code -e}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InspectorCliIT {
  @TempDir
  Path tmp;
  Peers peers;
  Path config;
  Path home;

  @BeforeEach
  void writeConfig() {
    peers = new Peers(tmp.resolve("logs"));
    home = Interop.createDir(tmp, "aegis-home");
    config = new AegisConfig()
        .stdio("everything", List.of(Interop.node(), Interop.everything(), "stdio"), Map.of())
        .stdio("memory", List.of(Interop.node(), Interop.memory()),
            Map.of("MEMORY_FILE_PATH", tmp.resolve("memory.jsonl").toString()))
        .gateway("requestTimeout", "10s")
        .write(tmp.resolve("aegis.yaml"));
  }

  @AfterEach
  void stopEverything() {
    peers.close();
  }

  @Test
  void toolsListShowsTheNamespacedToolsOfBothServers() {
    JsonNode out = overStdio("tools/list");
    List<String> names = new ArrayList<>();
    out.path("tools").forEach(t -> names.add(t.path("name").asString()));
    assertThat(names)
        .contains("everything__echo", "everything__get-sum", "memory__create_entities", "memory__read_graph")
        .allMatch(n -> n.startsWith("everything__") || n.startsWith("memory__"), "prefixed by its server")
        .doesNotHaveDuplicates();
  }

  @Test
  void toolsCallReturnsTheEcho() {
    JsonNode out = overStdio("tools/call", "--tool-name", "everything__echo", "--tool-arg", "message=hi");
    assertThat(out.path("content").get(0).path("text").asString()).isEqualTo("Echo: hi");
  }

  @Test
  void resourcesReadAndPromptsGetReachEverything() {
    JsonNode resource = overStdio("resources/read", "--uri", "demo://resource/dynamic/text/2");
    assertThat(resource.path("contents").get(0).path("text").asString()).startsWith("Resource 2:");
    JsonNode prompt = overStdio("prompts/get", "--prompt-name", "everything__args-prompt", "--prompt-args",
        "city=Porto");
    assertThat(prompt.path("messages").get(0).path("content").path("text").asString())
        .isEqualTo("What's weather in Porto?");
  }

  @Test
  void toolsListOverStreamableHttp() {
    int port = Peers.freePort();
    Peer gateway = peers.start("aegis-gateway-http", Interop.gatewayCommand(config, "--listen", "127.0.0.1:" + port),
        Map.of("AEGIS_HOME", home.toString()));
    gateway.awaitListening(port, Duration.ofSeconds(30));
    JsonNode out = inspector("http", List.of("--method", "tools/list", "--transport", "http"),
        List.of("http://127.0.0.1:" + port + "/mcp"));
    List<String> names = new ArrayList<>();
    out.path("tools").forEach(t -> names.add(t.path("name").asString()));
    assertThat(names).as(() -> gateway.stderrTail(40)).contains("everything__echo", "memory__read_graph");
  }

  /** {@code inspector --cli --method METHOD [args] -e AEGIS_HOME=... -- java -jar aegis.jar gateway --config ...}. */
  private JsonNode overStdio(String method, String... args) {
    List<String> cli = new ArrayList<>(List.of("--method", method));
    cli.addAll(List.of(args));
    cli.addAll(List.of("-e", "AEGIS_HOME=" + home));
    return inspector(method.replace('/', '-'), cli, Interop.gatewayCommand(config));
  }

  private JsonNode inspector(String name, List<String> cliArgs, List<String> target) {
    List<String> cmd = new ArrayList<>(List.of(Interop.node(), Interop.inspector(), "--cli"));
    cmd.addAll(cliArgs);
    cmd.add("--");
    cmd.addAll(target);
    Peer inspector = peers.start("inspector-" + name, cmd,
        Map.of("MCP_CATALOG_PATH", tmp.resolve("inspector-catalog.json").toString()));
    int exit = inspector.awaitExit(Duration.ofSeconds(45));
    assertThat(exit).as("inspector exit code; stdout:\n%s\nstderr:\n%s", inspector.stdout(),
        inspector.stderrTail(40)).isZero();
    return JsonMapper.builder().build().readTree(inspector.stdout());
  }
}
