package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.memory.Entry;
import dev.aegis.memory.Keys;
import dev.aegis.memory.Verifier;
import dev.aegis.store.postgres.PostgresStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two gateway processes with {@code builtin: memory} on one real PostgreSQL, each driven by the official TypeScript
 * SDK client over Streamable HTTP at the same time, writing their own keys and one key both change: nothing is lost,
 * the shared key has every version, and the one hash chain verifies.
 */
class MemoryPostgresIT {
  static final int WRITES = 40;

  @TempDir
  Path tmp;

  private Peers peers;
  private EmbeddedPostgres pg;

  @AfterEach
  void stop() throws Exception {
    if (peers != null) {
      peers.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void twoGatewaysWriteConcurrentlyToOneDatabaseAndNothingIsLost() throws Exception {
    pg = EmbeddedPostgres.start();
    String url = pg.getJdbcUrl("postgres", "postgres");
    peers = new Peers(tmp.resolve("logs"));
    Path keys = Interop.createDir(tmp, "memory-keys"); // the instances share the keys they hold for agents
    String memory = "{\"postgres\":{\"url\":" + JsonMapper.shared().writeValueAsString(url) + ",\"user\":\"postgres\"},"
        + "\"keys\":" + JsonMapper.shared().writeValueAsString(keys.toString()) + "}";
    String[] urls = new String[2];
    for (int i = 0; i < 2; i++) {
      Path config = new AegisConfig()
          .section("servers", "{\"memory\":{\"builtin\":\"memory\",\"prefix\":false}}")
          .section("memory", memory)
          .write(tmp.resolve("aegis-" + i + ".yaml"));
      int port = Peers.freePort();
      Peer gateway = peers.start("gateway-" + i, Interop.gatewayCommand(config, "--listen", "127.0.0.1:" + port),
          Map.of("AEGIS_HOME", Interop.createDir(tmp, "home-" + i).toString()));
      gateway.awaitListening(port, Duration.ofSeconds(30));
      urls[i] = "http://127.0.0.1:" + port + "/mcp";
    }
    Peer[] clients = new Peer[2];
    SessionPlan[] plans = new SessionPlan[2];
    for (int i = 0; i < 2; i++) {
      plans[i] = SessionPlan.overHttp(urls[i]).clientName("writer-" + i).timeout(Duration.ofSeconds(90));
      for (int n = 0; n < WRITES; n++) {
        plans[i].callTool("own-" + n, "memory_write", Map.of("key", "g" + i + "-" + n, "value", "v" + n));
        plans[i].callTool("shared-" + n, "memory_write", Map.of("key", "shared", "value", "g" + i + " " + n));
      }
      clients[i] = SdkClient.start(peers, tmp, "writer-" + i, plans[i]); // both run at once
    }
    for (int i = 0; i < 2; i++) {
      SessionReport r = SdkClient.await(clients[i], plans[i]);
      for (int n = 0; n < WRITES; n++) {
        assertThat(r.result("own-" + n).path("isError").asBoolean(false)).as(r.result("own-" + n).toString())
            .isFalse();
        assertThat(r.result("shared-" + n).path("isError").asBoolean(false)).isFalse();
      }
    }
    try (PostgresStore store = PostgresStore.open(url, "postgres", null)) {
      for (int i = 0; i < 2; i++) {
        for (int n = 0; n < WRITES; n++) {
          Entry e = store.current("agent:local", "doc/g" + i + "-" + n).orElseThrow();
          assertThat(e.content()).contains("\"v" + n + "\"");
        }
      }
      assertThat(store.history("agent:local", "doc/shared")).hasSize(2 * WRITES);
      assertThat(store.head()).isEqualTo(4L * WRITES);
      Keys k = Keys.open(keys, store);
      Verifier.Result v = new Verifier(store, k, List.of(k.instancePublicKey())).run(line -> {});
      assertThat(v.problems()).isEmpty();
      assertThat(v.entries()).isEqualTo(4L * WRITES);
    }
  }
}
