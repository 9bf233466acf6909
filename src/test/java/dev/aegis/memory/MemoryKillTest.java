package dev.aegis.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.MemoryConfig;
import dev.aegis.store.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code aegis memory serve} (a real child process over stdio) is killed with SIGKILL in the middle of a write load;
 * after a restart every write it acknowledged is there, and the log verifies.
 */
class MemoryKillTest {
  @TempDir
  Path home;

  @Test
  @Timeout(120)
  void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), "dev.aegis.cli.Main", "memory", "serve")
        .redirectError(home.resolve("stderr.txt").toFile());
    pb.environment().put("AEGIS_HOME", home.toString());
    Process p = pb.start();
    List<String> acked = new ArrayList<>();
    try (OutputStream in = p.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":{},\"clientInfo\":{\"name\":\"kill-test\",\"version\":\"1\"}}}");
      assertThat(out.readLine()).contains("aegis-memory");
      // keep 8 writes in flight, so the kill lands while some are being committed
      int sent = 0;
      for (; sent < 8; sent++) {
        send(in, write(sent + 1));
      }
      while (acked.size() < 150) {
        JsonNode reply = JsonMapper.shared().readTree(out.readLine());
        assertThat(reply.path("result").path("isError").asBoolean(false)).as(reply.toString()).isFalse();
        acked.add("k" + reply.path("id").asInt());
        send(in, write(++sent));
      }
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    MemoryConfig config = MemoryConfig.DEFAULT;
    try (Memory memory = MemoryHome.open(config, home)) {
      Actor me = Actor.of("local", List.of(), "check", "test");
      for (String key : acked) {
        assertThat(memory.get(me, "agent:local", "doc/" + key, Memory.Read.ANY)).as(key).isPresent()
            .get().extracting(Memory.Item::valid).isEqualTo(true);
      }
      Keys keys = Keys.open(home.resolve("memory-keys"), memory.store());
      Verifier.Result r = new Verifier(memory.store(), keys, List.of(keys.instancePublicKey())).run(l -> {});
      assertThat(r.problems()).isEmpty();
      assertThat(r.entries()).isGreaterThanOrEqualTo(acked.size());
    }
    try (SqliteStore store = SqliteStore.open(home.resolve("memory.db"))) {
      assertThat(store.head()).isGreaterThanOrEqualTo(acked.size());
    }
  }

  private static String write(int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"memory_write\","
        + "\"arguments\":{\"key\":\"k" + id + "\",\"value\":\"value " + id + "\"}}}";
  }

  private static void send(OutputStream in, String line) throws java.io.IOException {
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }
}
