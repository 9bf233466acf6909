package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real gateway process with a sandboxed server (the example server under a 200 MB memory limit): {@code aegis status}
 * shows its process tree while it runs; when a call makes it exceed the limit, the exit (killed by limit, which limit)
 * is in {@code aegis status} and, chained and signed, in the audit log, which still verifies.
 */
class StatusCommandTest {
  @TempDir
  Path home;

  @Test
  @Timeout(180)
  void statusShowsASandboxedTreeAndItsExitIsAudited() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    Path config = home.resolve("aegis.yaml");
    Files.writeString(config, "servers:\n  ex:\n    command: " + json(java) + "\n    args: [\"-Xmx1g\", "
        + "\"-XX:TieredStopAtLevel=1\", \"-XX:+UseSerialGC\", \"-cp\", " + json(cp)
        + ", \"dev.aegis.cli.Main\", \"example-server\", \"--test-tools\"]\n    sandbox: small\n"
        + "sandbox:\n  profiles:\n    small:\n      limits: {memory: 200m}\n");
    Process gw = aegis(List.of("gateway", "--config", config.toString()), home.resolve("gateway.err"));
    try (OutputStream in = gw.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(gw.getInputStream(), StandardCharsets.UTF_8))) {
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":{},\"clientInfo\":{\"name\":\"status-test\",\"version\":\"1\"}}}");
      assertThat(out.readLine()).contains("\"id\":1");
      send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
      assertThat(out.readLine()).contains("ex__alloc");

      JsonNode running = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(this::status, s -> s.path("gateways").size() == 1 && s.path("gateways").get(0).path("sandboxed")
              .size() == 1);
      JsonNode g = running.path("gateways").get(0);
      assertThat(g.path("pid").asLong()).isEqualTo(gw.pid());
      assertThat(g.path("servers").get(0).path("sandbox").asString()).isEqualTo("small");
      assertThat(g.path("sandboxed").get(0).path("server").asString()).isEqualTo("ex");
      assertThat(g.path("sandboxed").get(0).path("threads").asInt()).isPositive();
      Process text = aegis(List.of("status"), home.resolve("status-text.err"));
      String shown = new String(text.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(shown).contains("gateway pid " + gw.pid(), "servers: ex (stdio, sandbox small)", "running: ex pid");

      send(in, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"ex__alloc\","
          + "\"arguments\":{\"mb\":400}}}");
      JsonNode afterKill = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(this::status, s -> s.path("gateways").size() == 1 && !s.path("gateways").get(0).path("exits")
              .isEmpty());
      JsonNode exit = afterKill.path("gateways").get(0).path("exits").get(0);
      assertThat(exit.path("server").asString()).isEqualTo("ex");
      assertThat(exit.path("killedByLimit").asBoolean()).as(exit.toString()).isTrue();
      assertThat(exit.path("limitsHit").toString()).contains("memory");
    }
    assertThat(gw.waitFor(30, TimeUnit.SECONDS)).as("the gateway ends when its stdin closes").isTrue();
    assertThat(StatusFile.of(home, gw.pid())).doesNotExist();

    List<JsonNode> sandboxRecords = new ArrayList<>();
    try (Stream<Path> files = Files.list(home.resolve("audit"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode r = JsonMapper.shared().readTree(line);
          if (r.path("type").asString().equals("sandbox")) {
            sandboxRecords.add(r);
          }
        }
      }
    }
    assertThat(sandboxRecords).anySatisfy(r -> {
      assertThat(r.path("event").asString()).isEqualTo("exit");
      assertThat(r.path("server").asString()).isEqualTo("ex");
      assertThat(r.path("killedByLimit").asBoolean()).isTrue();
    });
    Process verify = aegis(List.of("audit", "verify"), home.resolve("verify.err"));
    String verified = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(verify.exitValue()).as(verified + Files.readString(home.resolve("verify.err"))).isZero();
  }

  /** {@code aegis status --format json} as a separate process, as a user runs it. */
  private JsonNode status() throws Exception {
    Process p = aegis(List.of("status", "--format", "json"), home.resolve("status.err"));
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return JsonMapper.shared().readTree(text);
  }

  private Process aegis(List<String> args, Path stderr) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), "dev.aegis.cli.Main"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
    pb.environment().put("AEGIS_HOME", home.toString());
    return pb.start();
  }

  private static void send(OutputStream in, String line) throws java.io.IOException {
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static String json(String s) {
    return JsonMapper.shared().writeValueAsString(s);
  }
}
