package dev.aegis.scan.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
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

    assertThat(l.error()).containsAnyOf("exit", "closed").contains("missing API key");
    assertThat(l.tools()).isEmpty();
  }

  @Test
  void aCommandThatDoesNotExistIsReported() {
    Listing l = Lister.list(stdio("nope", List.of("/nonexistent/aegis-test-server")), Duration.ofSeconds(5));

    assertThat(l.error()).contains("/nonexistent/aegis-test-server");
  }
}
