package dev.aegis.bench;

import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.MemoryStore;
import dev.aegis.store.postgres.PostgresStore;
import dev.aegis.store.sqlite.SqliteStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The memory store's throughput and latency (a main, not JMH: loading a million items is set-up JMH would repeat).
 * Prints, per store: appends/s with 16 threads each appending one unsigned draft at a time (group commit at work),
 * then, after bulk-loading {@code aegis.bench.items} items (default 1,000,000; 100 scopes, texts of ten words from a
 * 20,000-word vocabulary), the p50/p99 of {@code current} (read by key) and of {@code search} (one vocabulary word, or
 * a four-letter fragment of one, over three scopes, limit 20) from one thread.
 *
 * <pre>{@code
 * mvn -q -o test-compile && mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.aegis.bench.MemoryStoreBench
 * java -Daegis.bench.items=100000 -Daegis.bench.stores=sqlite ... dev.aegis.bench.MemoryStoreBench
 * }</pre>
 *
 * <p>Properties: {@code aegis.bench.items} (items loaded before the read and search runs), {@code aegis.bench.stores}
 * ({@code sqlite,postgres}), {@code aegis.bench.seconds} (length of the append run, default 10), {@code
 * aegis.bench.dir} (where the SQLite files go, default a temporary directory; a loaded file there is reused),
 * {@code aegis.bench.writers} (threads of the append run, default 16).
 */
public final class MemoryStoreBench {
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private static final int WRITERS = Integer.getInteger("aegis.bench.writers", 16);
  private static final int SCOPES = 100;
  private static final int VOCABULARY = 20_000;
  private static final int LOAD_BATCH = 10_000;
  private static final int READS = 20_000;
  private static final int SEARCHES = 2_000;

  private final String[] words;
  private final int items;

  private MemoryStoreBench(int items) {
    this.items = items;
    SplittableRandom random = new SplittableRandom(42);
    words = new String[VOCABULARY];
    for (int i = 0; i < VOCABULARY; i++) {
      StringBuilder w = new StringBuilder();
      int length = 4 + random.nextInt(6);
      for (int j = 0; j < length; j++) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      words[i] = i % 7 == 0 ? w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1) : w.toString();
    }
  }

  public static void main(String[] args) throws Exception {
    int items = Integer.getInteger("aegis.bench.items", 1_000_000);
    int seconds = Integer.getInteger("aegis.bench.seconds", 10);
    List<String> stores = Arrays.asList(System.getProperty("aegis.bench.stores", "sqlite,postgres").split(","));
    MemoryStoreBench bench = new MemoryStoreBench(items);
    if (stores.contains("sqlite")) {
      Path dir = System.getProperty("aegis.bench.dir") != null ? Path.of(System.getProperty("aegis.bench.dir"))
          : Files.createTempDirectory("aegis-memory-bench");
      Files.createDirectories(dir);
      Path appendFile = dir.resolve("appends.db");
      Path loadFile = dir.resolve("loaded-" + items + ".db");
      Files.deleteIfExists(appendFile);
      bench.run("SQLite", () -> SqliteStore.open(appendFile), () -> SqliteStore.open(loadFile), seconds);
    }
    if (stores.contains("postgres")) {
      try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("shared_buffers", "512MB").start()) {
        bench.run("PostgreSQL", () -> PostgresStore.open(database(pg, "appends"), "postgres", null),
            () -> PostgresStore.open(database(pg, "loaded"), "postgres", null), seconds);
      }
    }
  }

  private static String database(EmbeddedPostgres pg, String name) {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      // already there: the same supplier opens it a second time
    }
    return pg.getJdbcUrl("postgres", name);
  }

  private void run(String name, Supplier<MemoryStore> forAppends, Supplier<MemoryStore> forLoad, int seconds)
      throws Exception {
    try (MemoryStore store = forAppends.get()) {
      appends(store, 1);
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu = os.getProcessCpuTime();
      long writerCpu = writerCpu();
      long[] count = new long[1];
      double perSecond = appends(store, seconds, count);
      System.out.printf(Locale.ROOT, "%s: %,.0f appends/s with %d writers (one draft per append, %ds); CPU per "
          + "append: %.0f us in this process, %.0f us in its group-commit writer thread; load average %.1f%n", name,
          perSecond, WRITERS, seconds, (os.getProcessCpuTime() - cpu) / 1e3 / count[0],
          (writerCpu() - writerCpu) / 1e3 / count[0], os.getSystemLoadAverage());
    }
    try (MemoryStore store = forLoad.get()) {
      long start = System.nanoTime();
      long present = store.head();
      SplittableRandom random = new SplittableRandom(7);
      List<Draft> batch = new ArrayList<>(LOAD_BATCH);
      for (long i = present; i < items; i++) {
        batch.add(draft((int) i, random));
        if (batch.size() == LOAD_BATCH || i == items - 1) {
          store.append(batch);
          batch.clear();
        }
      }
      System.out.printf(Locale.ROOT, "%s: %,d items (%,d loaded in %.1f s)%n", name, store.head(),
          items - present, (System.nanoTime() - start) / 1e9);
      latencies(name, store);
    }
  }

  /** CPU time so far of the store's group-commit thread (where SQLite does all its writing). */
  private static long writerCpu() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("aegis-memory-writer")) {
        return THREADS.getThreadCpuTime(t.getId());
      }
    }
    return 0;
  }

  private double appends(MemoryStore store, int seconds) throws InterruptedException {
    return appends(store, seconds, new long[1]);
  }

  private double appends(MemoryStore store, int seconds, long[] count) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < WRITERS; t++) {
      int id = t;
      Thread w = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(id);
        for (int i = 0; System.nanoTime() < end; i++) {
          store.append(List.of(new Draft("agent:" + id, "k" + random.nextInt(1000), Entry.PUT,
              "{\"n\":" + i + "}", text(random), "agent-" + id, "s", "trusted", false, "{}", Instant.now(), "k1",
              "c2ln", null)));
          done.incrementAndGet();
        }
      });
      w.start();
      threads.add(w);
    }
    for (Thread w : threads) {
      w.join();
    }
    count[0] = done.get();
    return done.get() / ((System.nanoTime() - start) / 1e9);
  }

  private void latencies(String name, MemoryStore store) {
    SplittableRandom random = new SplittableRandom(11);
    long[] reads = new long[READS];
    long[] readsCpu = new long[READS];
    int found = 0;
    for (int i = 0; i < READS + 2_000; i++) {
      int item = random.nextInt(items);
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      boolean hit = store.current(scope(item), key(item)).isPresent();
      if (i >= 2_000) {
        reads[i - 2_000] = System.nanoTime() - start;
        readsCpu[i - 2_000] = THREADS.getCurrentThreadCpuTime() - cpu;
        found += hit ? 1 : 0;
      }
    }
    report(name + ": current (read by key), " + found + "/" + READS + " found", reads, readsCpu);
    for (boolean fragment : new boolean[] {false, true}) {
      long[] searches = new long[SEARCHES];
      long[] searchesCpu = new long[SEARCHES];
      long results = 0;
      for (int i = 0; i < SEARCHES + 200; i++) {
        String word = words[random.nextInt(VOCABULARY)];
        String query = fragment ? word.substring(0, 4) : word.toUpperCase(Locale.ROOT);
        int first = random.nextInt(SCOPES);
        List<String> scopes = List.of("agent:" + first, "agent:" + (first + 1) % SCOPES, "agent:" + (first + 2) % SCOPES);
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        List<Entry> hits = store.search(scopes, "", query, 20);
        if (i >= 200) {
          searches[i - 200] = System.nanoTime() - start;
          searchesCpu[i - 200] = THREADS.getCurrentThreadCpuTime() - cpu;
          results += hits.size();
        }
      }
      report(String.format(Locale.ROOT, "%s: search (%s, 3 scopes, limit 20), %.1f results on average", name,
          fragment ? "4-letter fragment" : "a whole word", results / (double) SEARCHES), searches, searchesCpu);
    }
  }

  private Draft draft(int item, SplittableRandom random) {
    return new Draft(scope(item), key(item), Entry.PUT, "{\"item\":" + item + "}", text(random), "loader", null,
        "trusted", false, "{}", Instant.ofEpochMilli(1_700_000_000_000L + item), "k1", "c2ln", null);
  }

  private String text(SplittableRandom random) {
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < 10; w++) {
      text.append(w == 0 ? "" : " ").append(words[random.nextInt(VOCABULARY)]);
    }
    return text.toString();
  }

  private static String scope(int item) {
    return "agent:" + item % SCOPES;
  }

  private static String key(int item) {
    return "notes/" + item;
  }

  /** Wall-clock percentiles, and those of the calling thread's CPU time (which other processes' load does not
   * inflate; SQLite runs in the calling thread, so it is the whole cost there, while PostgreSQL's is in the server). */
  private static void report(String what, long[] nanos, long[] cpuNanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    long[] cpu = cpuNanos.clone();
    Arrays.sort(cpu);
    System.out.printf(Locale.ROOT, "%s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d samples); calling thread's CPU "
        + "p50 %.3f ms, p99 %.3f ms; load average %.1f%n", what, sorted[sorted.length / 2] / 1e6,
        sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6, sorted.length,
        cpu[cpu.length / 2] / 1e6, cpu[(int) (cpu.length * 0.99)] / 1e6,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
