package dev.aegis.scan.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.ServerConfig;
import dev.aegis.config.discovery.Client;
import dev.aegis.config.discovery.Discovery;
import dev.aegis.config.discovery.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers from the command line and from the clients' files under a temporary home. */
class TargetsTest {
  @TempDir
  Path home;

  @Test
  void commandLinesSplitLikeAShellAndNameTheServer() {
    assertThat(Targets.split("npx -y \"@scope/my server\" 'a b'  ''")).containsExactly("npx", "-y",
        "@scope/my server", "a b", "");
    assertThat(Targets.guessName(List.of("npx", "-y", "@modelcontextprotocol/server-everything")))
        .isEqualTo("server-everything");
    assertThat(Targets.guessName(List.of("node", "/x/server-memory/dist/index.js"))).isEqualTo("server-memory");
    assertThat(Targets.command(List.of("uvx", "mcp-server-git"), "git").server().name()).isEqualTo("git");
  }

  @Test
  void readsEachClientsServersAsTheGatewayWouldRunThem() throws IOException {
    Files.writeString(home.resolve(".claude.json"), """
        {"mcpServers": {
          "fs": {"command": "npx", "args": ["-y", "server-filesystem", "/tmp"], "env": {"A": "1"}},
          "remote": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Key": "k"}},
          "off": {"command": "x", "disabled": true},
          "bad": {"args": ["no command"]}
        }}""");
    Files.createDirectories(home.resolve(".cursor"));
    Files.writeString(home.resolve(".cursor/mcp.json"), "{\"mcpServers\": {\"fs\": {\"command\": \"other\"}}}");
    List<String> notes = new ArrayList<>();

    List<Target> found = Targets.installed(new Discovery(Platform.of(Platform.Os.LINUX, home), null),
        List.of(Client.CLAUDE_CODE, Client.CURSOR), notes::add);

    assertThat(found).extracting(t -> t.server().name()).containsExactly("fs", "remote", "fs@cursor");
    ServerConfig.Stdio fs = (ServerConfig.Stdio) found.get(0).server().transport();
    assertThat(fs.command()).containsExactly("npx", "-y", "server-filesystem", "/tmp");
    assertThat(fs.env()).containsEntry("A", "1");
    ServerConfig.Http remote = (ServerConfig.Http) found.get(1).server().transport();
    assertThat(remote.headers()).containsEntry("X-Key", "k");
    assertThat(found.get(0).source()).startsWith("claude-code ").contains("#/mcpServers/fs");
    assertThat(found.get(2).file()).isEqualTo(home.resolve(".cursor/mcp.json"));
    assertThat(notes).anyMatch(n -> n.startsWith("off: disabled")).anyMatch(n -> n.startsWith("bad: "));
  }
}
