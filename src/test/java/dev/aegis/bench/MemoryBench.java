package dev.aegis.bench;

import dev.aegis.config.MemoryConfig;
import dev.aegis.memory.Actor;
import dev.aegis.memory.Keys;
import dev.aegis.memory.Memory;
import dev.aegis.memory.MemoryStore;
import dev.aegis.scan.Scanner;
import dev.aegis.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared memory's speed through the whole service (rights, trust, scan of untrusted text, Ed25519 signing and
 * chain on write; rights, hash recomputation and signature check on read) on SQLite in a temporary folder:
 * <ol>
 *   <li>signed writes/s with {@code -Dwriters} (16) concurrent writers for {@code -Dseconds} (10);</li>
 *   <li>then the store is filled to {@code -Ditems} (1,000,000) items, written in batches as signed writes;</li>
 *   <li>read-by-key latency (p50/p99 over {@code -Dreads} random keys) and search latency (p50/p99 over
 *       {@code -Dsearches} queries for a word some items contain, 20 results at most).</li>
 * </ol>
 * Run it with {@code bench/memory.sh} (or java -cp the test classpath dev.aegis.bench.MemoryBench). A benchmark, not
 * a test: it prints figures; compare them only with figures from the same machine and run.
 */
public final class MemoryBench {
  private static final String[] WORDS = words(5000);

  private MemoryBench() {}

  public static void main(String[] args) throws Exception {
    int writers = Integer.getInteger("writers", 16);
    int seconds = Integer.getInteger("seconds", 10);
    int items = Integer.getInteger("items", 1_000_000);
    int reads = Integer.getInteger("reads", 20_000);
    int searches = Integer.getInteger("searches", 2_000);
    Path dir = Files.createTempDirectory("aegis-memory-bench");
    MemoryConfig config = new MemoryConfig(null, null, null, null, List.of(), true, 1000, java.util.Map.of());
    MemoryStore store = SqliteStore.open(dir.resolve("memory.db"));
    Memory memory = new Memory(store, Keys.open(dir.resolve("keys"), store), config, Scanner.builtIn(),
        Clock.systemUTC());
    System.out.printf(Locale.ROOT, "memory bench in %s (SQLite, WAL, synchronous=FULL)%n", dir);

    // 1. signed writes per second, many writers
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Future<?>> running = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int w = 0; w < writers; w++) {
      int id = w;
      running.add(pool.submit(() -> {
        Actor a = Actor.of("agent-" + id, List.of(), "s" + id, "bench");
        SplittableRandom r = new SplittableRandom(id);
        for (long n = 0; !stop.get(); n++) {
          String text = sentence(r, 12);
          memory.apply(a, List.of(Memory.Change.put(a.ownScope(), "doc/w" + n, json(text), text)));
          done.incrementAndGet();
        }
      }));
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Future<?> f : running) {
      f.get();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "signed writes: %,d in %.1f s with %d writers = %,.0f writes/s%n", done.get(), secs,
        writers, done.get() / secs);

    // 2. fill to `items`, as signed writes in batches of 500 by one writer per core
    Actor loader = Actor.of("loader", List.of(), "load", "bench");
    long have = store.head();
    long t1 = System.nanoTime();
    int cores = Runtime.getRuntime().availableProcessors();
    List<Future<?>> loads = new ArrayList<>();
    AtomicLong next = new AtomicLong(0);
    long need = Math.max(0, items - have);
    for (int c = 0; c < cores; c++) {
      loads.add(pool.submit(() -> {
        SplittableRandom r = new SplittableRandom(next.get() * 31 + 7);
        for (long start; (start = next.getAndAdd(500)) < need; ) {
          List<Memory.Change> batch = new ArrayList<>(500);
          for (long i = start; i < Math.min(need, start + 500); i++) {
            String text = sentence(r, 12);
            batch.add(Memory.Change.put("agent:loader", "doc/i" + i, json(text), text));
          }
          memory.apply(loader, batch);
          if ((start / 500) % 200 == 0) {
            System.out.printf(Locale.ROOT, "  loaded %,d of %,d%n", start, need);
          }
        }
      }));
    }
    for (Future<?> f : loads) {
      f.get();
    }
    System.out.printf(Locale.ROOT, "loaded %,d items in %.0f s (head %,d)%n", need,
        (System.nanoTime() - t1) / 1e9, store.head());

    // 3. reads by key and searches
    SplittableRandom r = new SplittableRandom(42);
    long[] readNs = new long[reads];
    for (int i = 0; i < reads; i++) {
      String key = "doc/i" + r.nextLong(need == 0 ? 1 : need);
      long s = System.nanoTime();
      memory.get(loader, "agent:loader", key, Memory.Read.ANY);
      readNs[i] = System.nanoTime() - s;
    }
    report("read by key (verified)", readNs);
    long[] searchNs = new long[searches];
    int hits = 0;
    for (int i = 0; i < searches; i++) {
      String q = WORDS[r.nextInt(WORDS.length)];
      long s = System.nanoTime();
      hits += memory.search(loader, List.of("agent:loader"), "doc/", q, Memory.Read.ANY, 20).size();
      searchNs[i] = System.nanoTime() - s;
    }
    report("search, 20 results at most (" + hits / Math.max(1, searches) + " on average)", searchNs);
    pool.shutdown();
    memory.close();
  }

  private static void report(String what, long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%,d samples)%n", what,
        s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6, s.length);
  }

  private static String json(String text) {
    return "{\"value\":\"" + text + "\"}";
  }

  private static String sentence(SplittableRandom r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  /** Pronounceable made-up words (letters only), so a query hits a small share of the items. */
  private static String[] words(int n) {
    SplittableRandom r = new SplittableRandom(1);
    String c = "bcdfghjklmnprstvz";
    String v = "aeiou";
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder();
      int syl = 2 + r.nextInt(2);
      for (int s = 0; s < syl; s++) {
        b.append(c.charAt(r.nextInt(c.length()))).append(v.charAt(r.nextInt(v.length())));
      }
      out[i] = b.toString();
    }
    return out;
  }
}
