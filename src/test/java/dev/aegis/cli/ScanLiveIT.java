package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code aegis scan} from the packaged jar against real servers: the bundled example server, a poisoned fixture of
 * the attack lab, one that cannot start, the npm server-everything, and the servers of a client's configuration
 * found under a temporary home.
 */
class ScanLiveIT {
  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {
    JsonNode json() {
      return JsonMapper.shared().readTree(out);
    }
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("aegis.jar", "target/aegis.jar")).toAbsolutePath();
    assertThat(jar).as("the jar (run 'mvn package' first)").isRegularFile();
    return jar;
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static List<String> aegis(String... args) {
    List<String> cmd = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
    Path out = tmp.resolve("stdout-" + System.nanoTime());
    Path err = tmp.resolve("stderr-" + System.nanoTime());
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("AEGIS_HOME", tmp.resolve("aegis-home").toString()); // never the user's own state
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("aegis scan did not finish: " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** An mcpServers entry for the attack lab's schema-injection server, confined to a temporary home as it demands. */
  ObjectNode attackServer() throws IOException {
    Path lab = Files.createDirectories(tmp.resolve("lab"));
    Path home = Files.createDirectories(lab.resolve("home"));
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    List<String> cmd = aegis("demo", "--serve", "schema-injection");
    s.put("command", cmd.get(0));
    cmd.subList(1, cmd.size()).forEach(s.withArray("args")::add);
    s.putObject("env").put("AEGIS_DEMO_DIR", lab.toString()).put("HOME", home.toString());
    return s;
  }

  ObjectNode stdioServer(String... command) {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("command", command[0]);
    for (int i = 1; i < command.length; i++) {
      s.withArray("args").add(command[i]);
    }
    return s;
  }

  Path mcpServersFile(Path file, Map<String, ObjectNode> servers) throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode section = root.putObject("mcpServers");
    servers.forEach(section::set);
    Files.createDirectories(file.getParent());
    Files.writeString(file, JsonMapper.shared().writeValueAsString(root));
    return file;
  }

  Map<String, ObjectNode> threeServers() throws IOException {
    Map<String, ObjectNode> servers = new java.util.LinkedHashMap<>();
    List<String> example = aegis("example-server");
    servers.put("example", stdioServer(example.toArray(String[]::new)));
    servers.put("math", attackServer());
    servers.put("broken", stdioServer("/nonexistent/aegis-scan-it-server"));
    return servers;
  }

  @Test
  void configFileScanFindsThePoisonedToolAndGoesOnPastABrokenServer() throws Exception {
    Path config = mcpServersFile(tmp.resolve("mcp.json"), threeServers());

    Run r = run(aegis("scan", "--config", config.toString(), "--format", "json", "--timeout", "60"), Map.of());

    assertThat(r.code()).as(r.err()).isEqualTo(3);
    JsonNode servers = r.json().get("servers");
    assertThat(servers).extracting(s -> s.get("name").asString()).containsExactly("example", "math", "broken");
    JsonNode example = servers.get(0);
    assertThat(example.has("error")).as(r.err()).isFalse();
    assertThat(example.get("tools").size()).isPositive();
    assertThat(example.get("prompts").size()).isPositive();
    JsonNode math = servers.get(1);
    assertThat(math.has("error")).as(r.err()).isFalse();
    JsonNode add = math.get("tools").get(0);
    assertThat(add.get("name").asString()).isEqualTo("add");
    assertThat(add.get("verdict").asString()).isNotEqualTo("allow");
    assertThat(add.get("findings")).anyMatch(f -> f.get("pointer").asString().contains("sidenote"));
    assertThat(servers.get(2).get("error").asString()).contains("/nonexistent/aegis-scan-it-server");
    assertThat(servers.get(2).get("tools").size()).isZero();
    assertThat(r.err()).contains("[1/3] example").contains("[2/3] math").contains("[3/3] broken")
        .contains("failed:");

    Run failOn = run(aegis("scan", "--config", config.toString(), "--fail-on", "high", "-q"), Map.of());
    assertThat(failOn.code()).as(failOn.err()).isEqualTo(1);
    assertThat(failOn.out()).contains("tool add: BLOCK").contains("not scanned:");
  }

  @Test
  void sarifOfAConfigScanPointsAtTheConfigFile() throws Exception {
    Map<String, ObjectNode> servers = threeServers();
    servers.remove("broken");
    Path config = mcpServersFile(tmp.resolve("repo").resolve(".cursor").resolve("mcp.json"), servers);

    ProcessBuilder pb = new ProcessBuilder(aegis("scan", "--config", config.toString(), "--format", "sarif", "-q"))
        .directory(tmp.resolve("repo").toFile());
    Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).isZero();
    JsonNode results = JsonMapper.shared().readTree(out).get("runs").get(0).get("results");
    assertThat(results.size()).isPositive();
    JsonNode loc = results.get(0).get("locations").get(0);
    assertThat(loc.get("physicalLocation").get("artifactLocation").get("uri").asString())
        .isEqualTo(".cursor/mcp.json");
    assertThat(loc.get("logicalLocations").get(0).get("fullyQualifiedName").asString()).isEqualTo("math/add");
  }

  @Test
  void withNoTargetItScansTheServersOfTheInstalledClients() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("user"));
    Map<String, ObjectNode> servers = threeServers();
    servers.remove("broken");
    mcpServersFile(home.resolve(".claude.json"), servers);
    List<String> cmd = new ArrayList<>(List.of(java(), "-Duser.home=" + home, "-jar", jar().toString(), "scan",
        "--format", "json"));

    Run r = run(cmd, Map.of("XDG_CONFIG_HOME", home.resolve(".config").toString()));

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode found = r.json().get("servers");
    assertThat(found).extracting(s -> s.get("name").asString()).containsExactly("example", "math");
    assertThat(found.get(0).get("source").asString()).contains("claude-code").contains(".claude.json");
    assertThat(found.get(1).get("tools").get(0).get("verdict").asString()).isNotEqualTo("allow");

    Run other = run(List.of(java(), "-Duser.home=" + home, "-jar", jar().toString(), "scan", "--client", "cursor"),
        Map.of("XDG_CONFIG_HOME", home.resolve(".config").toString()));
    assertThat(other.code()).isZero();
    assertThat(other.err()).contains("no MCP servers found");
  }

  @Test
  void scansTheNpmServerEverythingWithNoError() throws Exception {
    Run r = run(aegis("scan", "--format", "json", "--", "node", everything().toString()), Map.of());

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode server = r.json().get("servers").get(0);
    assertThat(server.get("name").asString()).isEqualTo("server-everything");
    assertThat(server.has("error")).isFalse();
    assertThat(server.get("tools").size()).isGreaterThanOrEqualTo(10);
    assertThat(server.get("tools")).extracting(t -> t.get("name").asString()).contains("echo");
    assertThat(server.get("resources").size()).isPositive();
    assertThat(r.err()).contains(server.get("tools").size() + " tools");
  }

  @Test
  void scansARemoteServerOverStreamableHttp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder("node", everything().toString(), "streamableHttp")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("everything.log").toFile());
    pb.environment().put("PORT", String.valueOf(port));
    Process server = pb.start();
    try {
      await("server-everything listening on " + port).atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100)).until(() -> listening(port));

      Run r = run(aegis("scan", "--url", "http://127.0.0.1:" + port + "/mcp", "--format", "json"), Map.of());

      assertThat(r.code()).as(r.err()).isZero();
      JsonNode scanned = r.json().get("servers").get(0);
      assertThat(scanned.get("name").asString()).isEqualTo("127.0.0.1");
      assertThat(scanned.has("error")).as(r.err()).isFalse();
      assertThat(scanned.get("tools")).extracting(t -> t.get("name").asString()).contains("echo");
      assertThat(scanned.get("source").asString()).isEqualTo("http: http://127.0.0.1:" + port + "/mcp");
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  static Path everything() {
    Path interop = Path.of(System.getProperty("aegis.interop", "interop")).toAbsolutePath();
    Path everything = interop.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    assertThat(everything).as("run interop/install.sh").isRegularFile();
    return everything;
  }

  static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
