package dev.aegis.config.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class WrapTest {
  private static final Launcher LAUNCHER = Launcher.of("/opt/aegis/bin/aegis");

  @TempDir
  Path tmp;
  FixtureTree tree;
  Path aegisHome;
  Clock clock = Clock.fixed(Instant.parse("2026-05-01T10:00:00Z"), ZoneOffset.UTC);

  @BeforeEach
  void copyFixtures() throws IOException {
    tree = FixtureTree.copyInto(tmp.resolve("fixtures"));
    aegisHome = tmp.resolve("aegis-home");
  }

  static Stream<Arguments> everyClientOnEveryOs() {
    return Stream.of(Platform.Os.values()).flatMap(os -> Stream.of(Client.values()).map(c -> Arguments.of(os, c)));
  }

  private Discovery discovery(Platform.Os os) {
    return new Discovery(tree.platform(os), tree.project());
  }

  private WrapPlan plan(Platform.Os os, Client client) {
    return WrapPlan.of(client, discovery(os).find(client), LAUNCHER, aegisHome);
  }

  private static Map<Path, byte[]> snapshot(List<ClientConfig> files) throws IOException {
    Map<Path, byte[]> out = new HashMap<>();
    for (ClientConfig f : files) {
      out.put(f.path(), Files.readAllBytes(f.path()));
    }
    return out;
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("everyClientOnEveryOs")
  void wrapThenUnwrapRestoresEveryFileByteForByte(Platform.Os os, Client client) throws IOException {
    List<ClientConfig> files = discovery(os).find(client);
    Map<Path, byte[]> before = snapshot(files);
    WrapPlan plan = plan(os, client);
    WrapStore store = new WrapStore(aegisHome, clock);
    store.apply(plan);
    for (WrapPlan.FileChange c : plan.changes()) {
      assertThat(Files.readAllBytes(c.file().path())).isEqualTo(c.after()).isNotEqualTo(before.get(c.file().path()));
      JsoncDocument.parse(c.after()); // still valid for the client
    }
    WrapStore.Unwrapped undone = store.unwrap(client);
    if (plan.changesNothing()) {
      assertThat(undone.refusal()).startsWith("nothing to unwrap");
    } else {
      assertThat(undone.refusal()).isNull();
      assertThat(undone.restored()).hasSize(plan.changes().size());
    }
    for (Map.Entry<Path, byte[]> e : before.entrySet()) {
      assertThat(Files.readAllBytes(e.getKey())).as(e.getKey().toString()).isEqualTo(e.getValue());
    }
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("everyClientOnEveryOs")
  void wrappingTwiceChangesNothingTheSecondTime(Platform.Os os, Client client) throws IOException {
    new WrapStore(aegisHome, clock).apply(plan(os, client));
    Map<Path, byte[]> once = snapshot(discovery(os).find(client));
    WrapPlan again = plan(os, client);
    assertThat(again.changesNothing()).isTrue();
    assertThat(again.generated()).isEmpty();
    new WrapStore(aegisHome, clock).apply(again);
    for (Map.Entry<Path, byte[]> e : once.entrySet()) {
      assertThat(Files.readAllBytes(e.getKey())).isEqualTo(e.getValue());
    }
  }

  @Test
  void aWrappedEntryRunsAegisOnAGeneratedConfigAndKeepsItsEnvAndHostKeys() throws Exception {
    WrapPlan plan = plan(Platform.Os.LINUX, Client.GEMINI);
    new WrapStore(aegisHome, clock).apply(plan);
    Path settings = tree.platform(Platform.Os.LINUX).home().resolve(".gemini/settings.json");
    JsonNode root = JsoncDocument.parse(Files.readAllBytes(settings)).root();
    assertThat(root.path("theme").asString()).isEqualTo("GitHub");
    JsonNode weather = root.path("mcpServers").path("weather");
    Path yaml = WrapPlan.wrappedDir(aegisHome, Client.GEMINI).resolve("weather.yaml");
    assertThat(weather.path("command").asString()).isEqualTo("/opt/aegis/bin/aegis");
    assertThat(weather.path("args").toString()).isEqualTo("[\"gateway\",\"--config\",\"" + yaml + "\"]");
    assertThat(weather.path("env").path("WEATHER_API_KEY").asString()).isEqualTo("SECRET_gemini_weather");
    assertThat(weather.path("timeout").asInt()).isEqualTo(15000);
    assertThat(weather.has("cwd")).isFalse();

    ServerConfig server = ConfigLoader.load(yaml).config().servers().get(0);
    assertThat(server.name()).isEqualTo("weather");
    assertThat(server.prefix()).isEmpty();
    assertThat(server.transport()).isEqualTo(new ServerConfig.Stdio(List.of("python", "-m", "weather_server"),
        Map.of(), "./mcp-servers/python"));
    // a remote server is wrapped too: the host starts Aegis, Aegis connects
    ServerConfig streamer = ConfigLoader.load(WrapPlan.wrappedDir(aegisHome, Client.GEMINI).resolve("streamer.yaml"))
        .config().servers().get(0);
    assertThat(streamer.transport()).isInstanceOf(ServerConfig.Http.class);
  }

  @Test
  void envSecretsAreNotWrittenToAnyNewFile() throws IOException {
    for (Platform.Os os : Platform.Os.values()) {
      for (Client c : Client.values()) {
        new WrapStore(aegisHome, clock).apply(plan(os, c));
      }
    }
    List<Path> written = FixtureTree.filesUnder(aegisHome);
    Path backups = aegisHome.resolve("backups");
    assertThat(written).anyMatch(p -> p.toString().endsWith(".yaml"));
    for (Path p : written) {
      if (p.startsWith(backups) && !p.getFileName().toString().equals("manifest.json")) {
        continue; // byte-for-byte copies of the user's own files, owner-only
      }
      assertThat(Files.readString(p)).as(p.toString()).doesNotContain("SECRET");
    }
    // and the hosts still pass them: the entries kept their env
    assertThat(Files.readString(tree.platform(Platform.Os.LINUX).home().resolve(".claude.json")))
        .contains("SECRET_pg_password");
  }

  @Test
  void unwrapRefusesAfterTheUserEditedTheFile() throws IOException {
    WrapStore store = new WrapStore(aegisHome, clock);
    store.apply(plan(Platform.Os.LINUX, Client.CURSOR));
    Path cursor = tree.platform(Platform.Os.LINUX).home().resolve(".cursor/mcp.json");
    String edited = Files.readString(cursor).replace("\"mcpServers\"", "\"theme\": \"light\",\n\t\"mcpServers\"");
    Files.writeString(cursor, edited);

    WrapStore.Unwrapped refused = store.unwrap(Client.CURSOR);
    assertThat(refused.refusal()).contains(cursor + " was changed after `aegis wrap`").contains("refusing");
    assertThat(refused.restored()).isEmpty();
    assertThat(Files.readString(cursor)).isEqualTo(edited);
  }

  @Test
  void commentsSurviveWrapAndUnwrap() throws IOException {
    Path settings = tree.platform(Platform.Os.LINUX).home().resolve(".config/Code/User/settings.json");
    byte[] original = Files.readAllBytes(settings);
    WrapStore store = new WrapStore(aegisHome, clock);
    store.apply(plan(Platform.Os.LINUX, Client.VSCODE));
    String wrapped = Files.readString(settings);
    assertThat(wrapped).contains("// editor settings stay as they are", "/* inline block comment */",
        "// the time server, installed by hand", "\"editor.fontSize\": 14");
    assertThat(wrapped).contains("      \"time\": {\n        \"command\": \"/opt/aegis/bin/aegis\",\n");
    JsonNode time = JsoncDocument.parse(wrapped.getBytes(StandardCharsets.UTF_8)).root().path("mcp").path("servers")
        .path("time");
    assertThat(time.path("type").asString()).isEqualTo("stdio");

    Path workspace = tree.project().resolve(".vscode/mcp.json");
    assertThat(Files.readString(workspace)).startsWith("// Workspace MCP servers, shared with the team")
        .contains("\"PW_TOKEN\": \"SECRET_vscode_project\"");

    assertThat(store.unwrap(Client.VSCODE).refusal()).isNull();
    assertThat(Files.readAllBytes(settings)).isEqualTo(original);
  }

  @Test
  void theDiffShowsOnlyTheReplacedEntries() {
    WrapPlan plan = plan(Platform.Os.LINUX, Client.CLAUDE_DESKTOP);
    String diff = plan.changes().get(0).diff();
    assertThat(diff).contains("@@ -3,7 +3,11 @@ /mcpServers/github", "@@ -10,8 +14,8 @@ /mcpServers/filesystem", "-      \"command\": \"npx\",",
        "+      \"command\": \"/opt/aegis/bin/aegis\",").doesNotContain("globalShortcut");
    assertThat(plan.describe()).contains("new file " + WrapPlan.wrappedDir(aegisHome, Client.CLAUDE_DESKTOP)
        .resolve("github.yaml"));
  }

  @Test
  void serversThatCannotBeWrappedAreLeftAloneWithAReason() {
    WrapPlan cursor = plan(Platform.Os.LINUX, Client.CURSOR);
    assertThat(cursor.skipped()).singleElement().satisfies(s -> {
      assertThat(s.server()).isEqualTo("remote-private");
      assertThat(s.reason()).contains("headers");
    });
    WrapPlan vscode = plan(Platform.Os.MACOS, Client.VSCODE);
    assertThat(vscode.skipped()).extracting(WrapPlan.Skipped::server).containsExactly("workspace-files");
    assertThat(vscode.skipped().get(0).reason()).contains("${...}");
    WrapPlan gemini = plan(Platform.Os.LINUX, Client.GEMINI);
    assertThat(gemini.skipped()).extracting(WrapPlan.Skipped::server).containsExactly("broken");
  }

  @Test
  void windowsLineEndingsAndTabsAreKept() throws IOException {
    Path cursor = tree.platform(Platform.Os.WINDOWS).home().resolve(".cursor/mcp.json");
    byte[] crlf = "{\r\n\t\"mcpServers\": {\r\n\t\t\"a\": {\"command\": \"a.exe\", \"env\": {\"K\": \"v\"}}\r\n\t}\r\n}\r\n"
        .getBytes(StandardCharsets.UTF_8);
    Files.write(cursor, crlf);
    WrapStore store = new WrapStore(aegisHome, clock);
    store.apply(plan(Platform.Os.WINDOWS, Client.CURSOR));
    String wrapped = Files.readString(cursor);
    assertThat(wrapped.replace("\r\n", "")).doesNotContain("\n");
    assertThat(wrapped).contains("\r\n\t\t\t\"command\": \"/opt/aegis/bin/aegis\",\r\n");
    assertThat(store.unwrap(Client.CURSOR).refusal()).isNull();
    assertThat(Files.readAllBytes(cursor)).isEqualTo(crlf);
  }

  @Test
  void aSecondWrapAfterANewServerIsUndoneTogetherWithTheFirst() throws IOException {
    Path cursor = tree.platform(Platform.Os.LINUX).home().resolve(".cursor/mcp.json");
    byte[] original = Files.readAllBytes(cursor);
    WrapStore store = new WrapStore(aegisHome, clock);
    store.apply(plan(Platform.Os.LINUX, Client.CURSOR));
    // the user adds a server to the wrapped file, then wraps again
    Files.writeString(cursor, Files.readString(cursor).replace("\"mcpServers\": {",
        "\"mcpServers\": {\n\t\t\"added\": {\"command\": \"added-server\"},"));
    assertThat(store.unwrap(Client.CURSOR).refusal()).contains("was changed");
    store.apply(plan(Platform.Os.LINUX, Client.CURSOR));
    WrapStore.Unwrapped u = store.unwrap(Client.CURSOR);
    assertThat(u.refusal()).isNull();
    // back to the state the user made: their added server, unwrapped; the earlier wrap is not undone over their edit
    assertThat(Files.readString(cursor)).contains("\"added\": {\"command\": \"added-server\"}")
        .isNotEqualTo(new String(original, StandardCharsets.UTF_8));
  }

  @Test
  void applyRefusesWhenTheFileChangedAfterThePlan() throws IOException {
    WrapPlan plan = plan(Platform.Os.LINUX, Client.WINDSURF);
    Path file = plan.changes().get(0).file().path();
    Files.writeString(file, Files.readString(file) + "\n");
    assertThatThrownBy(() -> new WrapStore(aegisHome, clock).apply(plan)).isInstanceOf(IOException.class)
        .hasMessageContaining("changed while the wrap was being prepared");
    assertThat(FixtureTree.filesUnder(aegisHome)).isEmpty();
  }
}
