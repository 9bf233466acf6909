package dev.aegis.store;

import dev.aegis.memory.Entry;
import dev.aegis.memory.MemoryStore;
import dev.aegis.store.postgres.PostgresStore;
import dev.aegis.store.sqlite.SqliteStore;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Run in its own JVM by {@link SqliteDurabilityTest} and {@link PostgresTwoProcessesTest}: opens a store
 * ({@code sqlite FILE} or {@code postgres URL}), appends from {@code THREADS} threads {@code EACH} times each (forever
 * when negative) and prints {@code ack SEQ KEY} for every append only after it returned (i.e. committed), flushed.
 *
 * <pre>{@code java -cp ... dev.aegis.store.AppendChild postgres jdbc:postgresql://... NAME THREADS EACH}</pre>
 */
public final class AppendChild {
  private AppendChild() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    String where = args[1];
    String name = args[2];
    int threads = Integer.parseInt(args[3]);
    int each = Integer.parseInt(args[4]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    MemoryStore store = kind.equals("sqlite") ? SqliteStore.open(Path.of(where))
        : PostgresStore.open(where, "postgres", null);
    out.println("ready");
    out.flush();
    AtomicBoolean failed = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w = new Thread(() -> {
        try {
          for (long i = 0; each < 0 || i < each; i++) {
            String key = name + "-" + id + "-" + i;
            Entry e = store.append(List.of(MemoryFixtures.put("agent:" + name, key, "item " + i))).get(0);
            synchronized (out) {
              out.println("ack " + e.seq() + " " + key);
              out.flush();
            }
          }
        } catch (RuntimeException e) {
          e.printStackTrace();
          failed.set(true);
        }
      });
      w.start();
      writers.add(w);
    }
    for (Thread w : writers) {
      w.join();
    }
    store.close();
    System.exit(failed.get() ? 1 : 0);
  }
}
