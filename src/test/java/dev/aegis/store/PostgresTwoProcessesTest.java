package dev.aegis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.memory.Entry;
import dev.aegis.store.postgres.PostgresStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two gateway processes appending to one PostgreSQL database at once (each with four threads, so each also group
 * commits): every acknowledged append is in the log at the seq it was told, seqs are gapless, the chain is one chain.
 */
class PostgresTwoProcessesTest {

  @Test
  void twoProcessesAppendingConcurrentlyKeepOneGaplessChain() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
      String url = PostgresStoreTest.createDatabase(pg, "two_processes");
      // the schema first, so that the children race on appends rather than on CREATE TABLE
      PostgresStore.open(url, "postgres", null).close();
      int threads = 4;
      int each = 150;
      Process a = Children.start("postgres", url, "a", "" + threads, "" + each);
      Process b = Children.start("postgres", url, "b", "" + threads, "" + each);
      List<Children.Ack> acks = new ArrayList<>();
      try {
        CompletableFuture<List<Children.Ack>> fromA = CompletableFuture.supplyAsync(() -> acks(a));
        CompletableFuture<List<Children.Ack>> fromB = CompletableFuture.supplyAsync(() -> acks(b));
        acks.addAll(fromA.get(120, TimeUnit.SECONDS));
        acks.addAll(fromB.get(120, TimeUnit.SECONDS));
        assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(a.exitValue()).as("child a's exit status").isZero();
        assertThat(b.exitValue()).as("child b's exit status").isZero();
      } finally {
        a.destroyForcibly();
        b.destroyForcibly();
      }

      assertThat(acks).hasSize(2 * threads * each);
      Set<Long> seqs = new HashSet<>();
      acks.forEach(ack -> seqs.add(ack.seq()));
      assertThat(seqs).hasSize(acks.size());
      try (PostgresStore store = PostgresStore.open(url, "postgres", null)) {
        List<Entry> log = MemoryFixtures.verifiedLog(store);
        assertThat(log).hasSize(acks.size());
        for (Children.Ack ack : acks) {
          assertThat(log.get((int) ack.seq() - 1).key()).as("key at seq %d", ack.seq()).isEqualTo(ack.key());
        }
        // both processes' appends are interleaved, not one after the other
        long switches = 0;
        for (int i = 1; i < log.size(); i++) {
          if (!log.get(i).scope().equals(log.get(i - 1).scope())) {
            switches++;
          }
        }
        assertThat(switches).as("times the chain passed from one process to the other").isGreaterThan(1);
      }
    }
  }

  private static List<Children.Ack> acks(Process p) {
    List<Children.Ack> out = new ArrayList<>();
    try (BufferedReader in = Children.reader(p)) {
      String line = in.readLine();
      if (!"ready".equals(line)) {
        throw new IllegalStateException("child did not start: " + line);
      }
      while ((line = in.readLine()) != null) {
        out.add(Children.Ack.parse(line));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
