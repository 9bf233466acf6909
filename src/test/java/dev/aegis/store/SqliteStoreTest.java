package dev.aegis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.MemoryStore;
import dev.aegis.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends MemoryStoreContract {
  @TempDir
  Path dir;

  /** Search reads the trigram index, written behind the appends in chunks, and scans what it does not hold yet. */
  @Test
  void searchIsExactAcrossTheIndexAndTheItemsChangedSinceItWasWritten() {
    Map<String, String> live = new TreeMap<>();
    List<Draft> many = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      String key = String.format("k%04d", i);
      live.put(key, "item number " + i + " colour " + (i % 3));
      many.add(MemoryFixtures.put("s", key, live.get(key)));
    }
    store.append(many); // more than a chunk: indexed after this batch
    live.put("k0005", "renamed to zebra");
    live.remove("k0006");
    live.put("new", "a fresh zebra item number 5");
    store.append(List.of(MemoryFixtures.put("s", "k0005", live.get("k0005")), MemoryFixtures.delete("s", "k0006"),
        MemoryFixtures.put("s", "new", live.get("new"))));

    List<String> queries = List.of("item number 5", "number 6 ", "ZEBRA", "colour 2", "number 5 colour", "absent");
    for (int round = 0; round < 2; round++) {
      for (String q : queries) {
        List<String> expected = live.entrySet().stream().filter(e -> e.getValue().contains(q.toLowerCase()))
            .map(Map.Entry::getKey).toList();
        assertThat(keys(store.search(List.of("s"), "", q, 2_000))).as("search %s", q)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
      store.close();
      store = open(); // closing indexes the rest: the same answers from the index alone
    }
    assertThat(keys(store.search(List.of("s"), "", "zebra", 10))).containsExactly("new", "k0005"); // newest first
  }

  private static List<String> keys(List<Entry> entries) {
    return entries.stream().map(Entry::key).toList();
  }

  @Override
  protected MemoryStore open() {
    return SqliteStore.open(dir.resolve("memory.db"));
  }

  @Override
  protected void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("memory.db"));
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
