package dev.aegis.scan.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.sandbox.HostSupport;
import dev.aegis.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Lists real servers over real pipes: the bundled example server, one that never answers, one that cannot start. */
class ListerTest {
  static ServerConfig stdio(String name, List<String> command) {
    return new ServerConfig(name, name, new ServerConfig.Stdio(command, Map.of(), null));
  }

  static List<String> exampleServer() {
    String java = ProcessHandle.current().info().command().orElse("java");
    return List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "dev.aegis.cli.Main", "example-server", "--test-tools");
  }

  @Test
  void listsTheExampleServersToolsPromptsAndResources() {
    Listing l = Lister.list(stdio("example", exampleServer()), Duration.ofSeconds(30));

    assertThat(l.error()).isNull();
    assertThat(l.server()).isEqualTo("example");
    assertThat(l.tools()).extracting(t -> t.path("name").asString()).contains("echo").doesNotHaveDuplicates();
    assertThat(l.tools()).allMatch(JsonNode::isObject);
    assertThat(l.prompts()).isNotEmpty();
    assertThat(l.resources()).isNotEmpty();
  }

  /** aegis scan, pin and diff start a server the way the gateway does: in its sandbox profile. */
  @Test
  void aServerListedInTheDefaultSandboxCannotReadOutsideItsGrants(@TempDir Path dir) throws IOException {
    assertThat(HostSupport.probe().bwrap()).as("bubblewrap must work here (apt-get install bubblewrap)").isTrue();
    Path secret = Files.writeString(dir.resolve("secret.txt"), "the-secret-words");
    ServerConfig peek = stdio("peek", List.of("sh", "-c", "cat " + secret + " >&2; exit 3"));
    List<String> log = new ArrayList<>();

    Listing open = Lister.list(peek, Duration.ofSeconds(10));
    Listing boxed = Lister.list(peek, Duration.ofSeconds(10), new Sandbox(SandboxConfig.DEFAULT, log::add, log::add));

    assertThat(open.error()).contains("the-secret-words");
    assertThat(boxed.error()).doesNotContain("the-secret-words").contains("No such file");
    assertThat(log).anyMatch(line -> line.contains("runs sandboxed"));
  }

  @Test
  void aServerThatNeverAnswersTimesOut() {
    long start = System.nanoTime();
    Listing l = Lister.list(stdio("mute", List.of("tail", "-f", "/dev/null")), Duration.ofSeconds(1));

    assertThat(l.error()).contains("timed out after 1 s").contains("initialize");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aServerThatExitsReportsWhyWithItsStderr() {
    Listing l = Lister.list(stdio("dies", List.of("sh", "-c", "echo missing API key >&2; exit 3")),
        Duration.ofSeconds(10));

    assertThat(l.error()).contains("exited with code 3").contains("missing API key");
    assertThat(l.tools()).isEmpty();
  }

  @Test
  void aCommandThatDoesNotExistIsReported() {
    Listing l = Lister.list(stdio("nope", List.of("/nonexistent/aegis-test-server")), Duration.ofSeconds(5));

    assertThat(l.error()).contains("/nonexistent/aegis-test-server");
  }
}
