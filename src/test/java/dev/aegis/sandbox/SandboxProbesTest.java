package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.SandboxConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The example server's probe tools, each called once unsandboxed (where it must succeed, so the test can fail) and
 * once inside a sandbox (where it must fail and say why).
 */
class SandboxProbesTest {
  @TempDir
  static Path tmp;
  static Path granted;
  static Path outside;
  static final List<String> log = new CopyOnWriteArrayList<>();
  static McpProcess plain;
  static McpProcess boxed;
  static SandboxMonitor.Watch boxedWatch;

  @BeforeAll
  static void start() throws Exception {
    granted = Files.createDirectories(tmp.resolve("granted"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside secret");
    Files.writeString(granted.resolve("ok.txt"), "granted text");
    Files.createSymbolicLink(granted.resolve("link.txt"), outside.resolve("secret.txt"));
    HostSupport host = Fixture.host();
    Map<String, String> parentEnv = Map.of(Fixture.SECRET_NAME, Fixture.SECRET);
    plain = McpProcess.start(Fixture.exampleServer().command(), parentEnv);
    Sandbox sandbox = Fixture.sandbox("fixture", Fixture.profile(List.of(granted.toString()),
        new SandboxConfig.Limits(1L << 30, 200, 1024, 0, 0)), host, log);
    Sandbox.Launch launch = sandbox.prepare("fixture", Fixture.exampleServer());
    assertThat(launch.sandboxed()).isTrue();
    boxed = McpProcess.start(launch.command(), parentEnv);
    boxedWatch = launch.started(boxed.pid());
    assertThat(plain.initialize().path("serverInfo").isObject()).isTrue();
    assertThat(boxed.initialize().path("serverInfo").isObject()).as("stderr: %s", boxed.stderr()).isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    if (plain != null) {
      plain.close();
    }
    if (boxed != null) {
      boxed.close();
      SandboxMonitor.Exit exit = boxedWatch.exited().get(30, TimeUnit.SECONDS);
      assertThat(exit.exitCode()).isZero();
      assertThat(exit.maxRssBytes()).isPositive();
      assertThat(log).anyMatch(l -> l.startsWith("sandboxed server 'fixture'") && l.contains("exited with code 0"));
    }
  }

  @Test
  void gatewaySecretsAreNotInherited() throws Exception {
    Map<String, Object> args = Map.of("name", Fixture.SECRET_NAME);
    assertThat(McpProcess.text(plain.call("env", args))).isEqualTo(Fixture.SECRET);
    JsonNode r = boxed.call("env", args);
    assertThat(McpProcess.failed(r)).isTrue();
    assertThat(McpProcess.text(r)).contains("env failed").doesNotContain(Fixture.SECRET);
    assertThat(McpProcess.text(boxed.call("env", Map.of("name", "HOME")))).isEqualTo(BwrapCommand.HOME);
  }

  @Test
  void networkIsRefused() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, Object> args = Map.of("port", server.getLocalPort());
      assertThat(McpProcess.text(plain.call("net", args))).isEqualTo("connected");
      JsonNode r = boxed.call("net", args);
      assertThat(McpProcess.failed(r)).isTrue();
      assertThat(McpProcess.text(r)).contains("net failed").contains("Connect");
    }
  }

  @Test
  void filesOutsideTheGrantAreUnreachable() throws Exception {
    Path link = granted.resolve("link.txt");
    assertThat(McpProcess.text(plain.call("read_path", Map.of("path", link.toString())))).isEqualTo("outside secret");
    assertThat(McpProcess.text(boxed.call("read_path", Map.of("path", granted.resolve("ok.txt").toString()))))
        .isEqualTo("granted text");
    for (String p : List.of(link.toString(), outside.resolve("secret.txt").toString(),
        granted + "/../outside/secret.txt", "/etc/shadow", System.getProperty("user.home") + "/.bash_history")) {
      JsonNode r = boxed.call("read_path", Map.of("path", p));
      assertThat(McpProcess.text(r)).as(p).doesNotContain("outside secret").doesNotContain("root:");
      assertThat(McpProcess.failed(r) || McpProcess.text(r).isEmpty()).as(p).isTrue();
    }
  }

  @Test
  void systemFilesStayReadable() throws Exception {
    JsonNode r = boxed.call("read_path", Map.of("path", "/etc/os-release"));
    assertThat(McpProcess.failed(r)).as(McpProcess.text(r)).isFalse();
    assertThat(McpProcess.text(r)).isNotEmpty();
  }
}
