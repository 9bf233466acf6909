package dev.aegis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.memory.Entry;
import dev.aegis.store.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 while four threads append: every acknowledged append survives, and the chain still verifies. */
class SqliteDurabilityTest {
  @TempDir
  Path dir;

  @Test
  void killDashNineLosesNoAcknowledgedAppend() throws Exception {
    Path file = dir.resolve("memory.db");
    Process child = Children.start("sqlite", file.toString(), "w", "4", "-1");
    List<Children.Ack> acks = new ArrayList<>();
    try (BufferedReader in = Children.reader(child)) {
      assertThat(in.readLine()).isEqualTo("ready");
      String line;
      while (acks.size() < 2000 && (line = in.readLine()) != null) {
        acks.add(Children.Ack.parse(line));
      }
      // mid-load: the writer is committing while it dies
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acks).hasSize(2000);

    try (SqliteStore store = SqliteStore.open(file)) {
      List<Entry> log = MemoryFixtures.verifiedLog(store);
      for (Children.Ack ack : acks) {
        assertThat(log.size()).as("log holds acknowledged seq %d", ack.seq()).isGreaterThanOrEqualTo((int) ack.seq());
        assertThat(log.get((int) ack.seq() - 1).key()).as("key at seq %d", ack.seq()).isEqualTo(ack.key());
      }
      // and the store carries on from where the killed writer stopped
      Entry next = store.append(List.of(MemoryFixtures.put("s", "after", "x"))).get(0);
      assertThat(next.seq()).isEqualTo(log.size() + 1L);
      assertThat(next.prevHash()).isEqualTo(log.get(log.size() - 1).hash());
    }
  }
}
