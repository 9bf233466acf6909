package dev.aegis.config.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {
  @TempDir
  Path tmp;
  FixtureTree tree;

  @BeforeEach
  void copyFixtures() throws IOException {
    tree = FixtureTree.copyInto(tmp);
  }

  private static List<String> names(List<ClientConfig> files) {
    return files.stream().flatMap(f -> f.servers().stream()).map(ServerEntry::name).toList();
  }

  @Test
  void findsEveryClientInALinuxHome() {
    Platform linux = tree.platform(Platform.Os.LINUX);
    Discovery d = new Discovery(linux, null);
    Path home = linux.home();
    assertThat(d.find(Client.CLAUDE_DESKTOP)).singleElement().satisfies(f -> {
      assertThat(f.path()).isEqualTo(home.resolve(".config/Claude/claude_desktop_config.json"));
      assertThat(f.scope()).isEqualTo(Client.Scope.USER);
    });
    assertThat(names(d.find(Client.CLAUDE_DESKTOP))).containsExactly("github", "filesystem");
    assertThat(names(d.find(Client.CLAUDE_CODE))).containsExactly("memory", "postgres");
    assertThat(names(d.find(Client.CURSOR))).containsExactly("brave-search", "remote-docs", "remote-private");
    assertThat(names(d.find(Client.VSCODE))).containsExactly("time");
    assertThat(names(d.find(Client.WINDSURF))).containsExactly("sequential-thinking", "remote-sse");
    assertThat(names(d.find(Client.GEMINI))).containsExactly("weather", "streamer");
  }

  @Test
  void findsTheMacosAndWindowsApplicationFolders() {
    Discovery mac = new Discovery(tree.platform(Platform.Os.MACOS), null);
    assertThat(mac.find(Client.CLAUDE_DESKTOP)).singleElement().extracting(ClientConfig::path)
        .isEqualTo(tree.platform(Platform.Os.MACOS).home()
            .resolve("Library/Application Support/Claude/claude_desktop_config.json"));
    assertThat(names(mac.find(Client.VSCODE))).containsExactly("perplexity", "workspace-files");
    assertThat(mac.find(Client.CURSOR)).isEmpty();

    Discovery win = new Discovery(tree.platform(Platform.Os.WINDOWS), null);
    assertThat(win.find(Client.CLAUDE_DESKTOP)).singleElement().extracting(ClientConfig::path)
        .isEqualTo(tree.platform(Platform.Os.WINDOWS).home()
            .resolve("AppData/Roaming/Claude/claude_desktop_config.json"));
    assertThat(names(win.find(Client.VSCODE))).containsExactly("fetch", "github-remote");
    assertThat(names(win.find(Client.CURSOR))).containsExactly("everything");
    assertThat(win.find(Client.WINDSURF)).singleElement().satisfies(f -> assertThat(f.servers()).isEmpty());
    assertThat(win.find(Client.GEMINI)).isEmpty();
  }

  @Test
  void projectFilesAreFoundOnlyWhenAProjectIsGiven() {
    Platform linux = tree.platform(Platform.Os.LINUX);
    Discovery withProject = new Discovery(linux, tree.project());
    assertThat(withProject.find(Client.CLAUDE_CODE)).extracting(ClientConfig::scope)
        .containsExactly(Client.Scope.USER, Client.Scope.PROJECT);
    assertThat(names(withProject.find(Client.CLAUDE_CODE))).containsExactly("memory", "postgres", "project-tools");
    assertThat(names(withProject.find(Client.CURSOR))).endsWith("linear");
    assertThat(names(withProject.find(Client.VSCODE))).containsExactly("time", "playwright");
    assertThat(names(withProject.find(Client.GEMINI))).containsExactly("weather", "streamer", "broken", "local");
    assertThat(new Discovery(linux, null).searched(Client.CURSOR)).hasSize(1);
  }

  @Test
  void claudeCodeProjectServersKeepTheirSection() {
    Discovery d = new Discovery(tree.platform(Platform.Os.LINUX), null);
    ServerEntry postgres = d.find(Client.CLAUDE_CODE).get(0).servers().get(1);
    assertThat(postgres.pointer()).isEqualTo("/projects/~1home~1me~1src~1app/mcpServers/postgres");
    assertThat(postgres.target()).isEqualTo("uvx mcp-server-postgres --dsn-from-env");
  }

  @Test
  void readsJsonWithCommentsAndTrailingCommas() {
    ClientConfig settings = new Discovery(tree.platform(Platform.Os.LINUX), null).find(Client.VSCODE).get(0);
    assertThat(settings.readable()).isTrue();
    ServerEntry time = settings.servers().get(0);
    assertThat(time.transport()).isEqualTo("stdio");
    assertThat(settings.document().text().substring(time.span().start(), time.span().end()))
        .startsWith("{").endsWith("}").contains("mcp-server-time");
  }

  @Test
  void tellsTransportsApart() {
    Discovery d = new Discovery(tree.platform(Platform.Os.LINUX), null);
    assertThat(d.find(Client.WINDSURF).get(0).servers()).extracting(ServerEntry::transport)
        .containsExactly("stdio", "http");
    assertThat(d.find(Client.GEMINI).get(0).servers().get(1).url()).isEqualTo("https://stream.example.com/mcp");
    Discovery mac = new Discovery(tree.platform(Platform.Os.MACOS), null);
    assertThat(mac.find(Client.GEMINI).get(0).servers().get(0).transport()).isEqualTo("sse");
  }

  @Test
  void aBrokenFileIsReportedNotThrown() throws IOException {
    Platform linux = tree.platform(Platform.Os.LINUX);
    Path cursor = linux.home().resolve(".cursor/mcp.json");
    Files.writeString(cursor, "{\n  \"mcpServers\": {\n    \"x\": \n}\n");
    ClientConfig f = new Discovery(linux, null).find(Client.CURSOR).get(0);
    assertThat(f.readable()).isFalse();
    assertThat(f.error()).startsWith("4:1: not valid JSON");
  }

  @Test
  void clientNamesAreFoundByTheirCommandLineName() {
    assertThat(Client.byId("claude-code")).isEqualTo(Client.CLAUDE_CODE);
    assertThat(Client.byId("VSCode")).isEqualTo(Client.VSCODE);
    assertThat(Client.byId("gemini-cli")).isEqualTo(Client.GEMINI);
    assertThat(Client.byId("emacs")).isNull();
  }
}
