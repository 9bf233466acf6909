package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The real {@code @modelcontextprotocol/server-filesystem} behind a real gateway process ({@code aegis gateway}),
 * driven over stdio: {@code fs} runs under the built-in {@code filesystem} profile with one granted folder,
 * {@code ro} under a profile that grants its folder read-only, and {@code plain} unsandboxed (the control).
 */
class SandboxedFilesystemServerIT {
  @TempDir
  static Path tmp;
  static Path granted;
  static Path readOnly;
  static Path control;
  static Path outside;
  static McpProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    Fixture.host();
    Path script = Path.of(System.getProperty("aegis.interop", "interop")).toAbsolutePath()
        .resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
    assertThat(script).as("server-filesystem (run interop/install.sh)").isRegularFile();
    granted = Files.createDirectories(tmp.resolve("granted"));
    readOnly = Files.createDirectories(tmp.resolve("readonly"));
    control = Files.createDirectories(tmp.resolve("control"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside secret");
    Files.writeString(granted.resolve("a.txt"), "granted text");
    Files.createSymbolicLink(granted.resolve("link.txt"), outside.resolve("secret.txt"));
    Path config = tmp.resolve("aegis.yaml");
    Files.writeString(config, String.join("\n",
        "servers:",
        "  fs: {command: node, args: [\"" + script + "\", \"" + granted + "\"], sandbox: filesystem}",
        "  ro: {command: node, args: [\"" + script + "\", \"" + readOnly + "\"], sandbox: readonly}",
        "  plain: {command: node, args: [\"" + script + "\", \"" + control + "\"], sandbox: false}",
        "sandbox:",
        "  default: strict",
        "  profiles:",
        "    readonly: {serverArgs: read}",
        "pin: {mode: off}",
        ""));
    String java = ProcessHandle.current().info().command().orElse("java");
    gateway = McpProcess.start(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.aegis.cli.Main",
        "gateway", "--config", config.toString()), Map.of("AEGIS_HOME", tmp.resolve("home").toString()));
    assertThat(gateway.initialize().path("serverInfo").isObject()).as(gateway.stderr()).isTrue();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private static JsonNode call(String tool, Map<String, Object> args) throws Exception {
    return gateway.call(tool, args);
  }

  @Test
  void listsAndReadsTheGrantedFolder() throws Exception {
    assertThat(McpProcess.text(call("fs__list_directory", Map.of("path", granted.toString())))).contains("a.txt");
    assertThat(McpProcess.text(call("fs__read_text_file", Map.of("path", granted.resolve("a.txt").toString()))))
        .isEqualTo("granted text");
    assertThat(gateway.stderr()).contains("server 'fs' runs sandboxed (profile filesystem");
  }

  @Test
  void nothingOutsideTheGrantIsReadable() throws Exception {
    for (String p : List.of(granted.resolve("link.txt").toString(), granted + "/../outside/secret.txt",
        outside.resolve("secret.txt").toString())) {
      JsonNode r = call("fs__read_text_file", Map.of("path", p));
      assertThat(McpProcess.failed(r)).as(p).isTrue();
      assertThat(McpProcess.text(r)).as(p).doesNotContain("outside secret");
    }
  }

  @Test
  void aReadWriteGrantIsWritable() throws Exception {
    JsonNode r = call("fs__write_file", Map.of("path", granted.resolve("new.txt").toString(), "content", "hi"));
    assertThat(McpProcess.failed(r)).as(McpProcess.text(r)).isFalse();
    assertThat(granted.resolve("new.txt")).hasContent("hi");
  }

  @Test
  void aReadOnlyGrantStopsWritesTheServerItselfWouldAllow() throws Exception {
    JsonNode plain = call("plain__write_file", Map.of("path", control.resolve("x.txt").toString(), "content", "hi"));
    assertThat(McpProcess.failed(plain)).as(McpProcess.text(plain)).isFalse();
    assertThat(control.resolve("x.txt")).exists();
    JsonNode r = call("ro__write_file", Map.of("path", readOnly.resolve("x.txt").toString(), "content", "hi"));
    assertThat(McpProcess.failed(r)).isTrue();
    assertThat(McpProcess.text(r)).containsIgnoringCase("read-only");
    assertThat(readOnly.resolve("x.txt")).doesNotExist();
    assertThat(McpProcess.text(call("ro__list_directory", Map.of("path", readOnly.toString())))).isNotNull();
  }
}
