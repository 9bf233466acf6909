package dev.aegis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.memory.Chain;
import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.MemoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Drafts for the store tests, and the check every test ends with: the log is gapless and its chain intact. */
public final class MemoryFixtures {
  public static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private MemoryFixtures() {}

  public static Draft put(String scope, String key, String text) {
    return put(scope, key, text, "alice", T0);
  }

  public static Draft put(String scope, String key, String text, String author, Instant time) {
    String content = "{\"text\":\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    return new Draft(scope, key, Entry.PUT, content, text, author, "session-1", "trusted", false,
        "{\"via\":\"gateway\"}", time, "key-1", "c2lnbmF0dXJl", null);
  }

  public static Draft delete(String scope, String key) {
    return new Draft(scope, key, Entry.DELETE, null, null, "alice", "session-1", "trusted", false,
        "{\"via\":\"gateway\"}", T0, "key-1", "c2lnbmF0dXJl", null);
  }

  /** Every entry from 1 to head, asserting seqs are gapless and each hash links to the one before. */
  public static List<Entry> verifiedLog(MemoryStore store) {
    List<Entry> all = new ArrayList<>();
    store.scan(1, store.head(), all::add);
    String prev = Chain.GENESIS;
    for (int i = 0; i < all.size(); i++) {
      Entry e = all.get(i);
      assertThat(e.seq()).as("seq at position %d", i).isEqualTo(i + 1L);
      assertThat(e.prevHash()).as("prevHash of seq %d", e.seq()).isEqualTo(prev);
      assertThat(e.hash()).as("hash of seq %d", e.seq()).isEqualTo(Chain.hash(e));
      prev = e.hash();
    }
    assertThat((long) all.size()).as("entries up to head").isEqualTo(store.head());
    return all;
  }
}
