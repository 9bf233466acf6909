package dev.aegis.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compares two builds of the scanner in one JVM: each build's classes in a class loader of its own, the same
 * definitions scanned by each in turn (0.7 s of one, then 0.7 s of the other, for ROUNDS rounds after 8 warm-up
 * rounds), each timed by the thread's CPU time. On a shared VM whose speed drifts by tens of percent from minute to
 * minute, the ratio of neighbouring rounds is steady where separate JMH runs are not; it excludes GC threads' time
 * (the scanner's garbage is collected for well under 1% of a JMH run's time). {@code bench/scanner-ab.sh} builds the
 * older revision and runs this.
 *
 * <pre>{@code java -cp target/test-classes:DEPENDENCIES dev.aegis.bench.ScannerAB OLD_CLASSES NEW_CLASSES 16}</pre>
 */
public final class ScannerAB {
  private ScannerAB() {}

  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      System.err.println("usage: ScannerAB OLD_CLASSES_DIR NEW_CLASSES_DIR [ROUNDS] [DEFINITIONS.jsonl]");
      System.exit(2);
    }
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    Path file = Path.of(args.length > 3 ? args[3] : "../shared/data/tool-definitions.dev.jsonl");
    JsonMapper json = JsonMapper.builder().build();
    List<JsonNode> definitions = new ArrayList<>();
    long bytes = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        JsonNode tool = json.readTree(line).path("tool");
        definitions.add(tool);
        bytes += json.writeValueAsBytes(tool).length;
      }
    }
    MethodHandle[] scan = new MethodHandle[2];
    for (int v = 0; v < 2; v++) {
      ClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[v]).toUri().toURL()},
          ScannerAB.class.getClassLoader());
      Class<?> scanner = Class.forName("dev.aegis.scan.Scanner", true, loader);
      Class<?> report = Class.forName("dev.aegis.scan.Report", true, loader);
      Object builtIn = scanner.getMethod("builtIn").invoke(null);
      scan[v] = MethodHandles.publicLookup()
          .findVirtual(scanner, "scanTool", MethodType.methodType(report, JsonNode.class)).bindTo(builtIn);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[][] rates = new double[2][rounds];
    System.err.printf("ScannerAB: %d definitions, %d bytes of JSON; 8 warm-up rounds, then %d%n", definitions.size(),
        bytes, rounds);
    for (int r = -8; r < rounds; r++) {
      for (int v = 0; v < 2; v++) {
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        int passes = 0;
        while (System.nanoTime() - start < 700_000_000L) {
          for (JsonNode d : definitions) {
            Object unused = scan[v].invoke(d);
          }
          passes++;
        }
        if (r >= 0) {
          rates[v][r] = passes * (double) bytes / ((threads.getCurrentThreadCpuTime() - cpu) / 1e9) / 1e6;
        }
      }
    }
    double[] ratio = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      ratio[r] = rates[1][r] / rates[0][r];
    }
    for (int v = 0; v < 2; v++) {
      double[] sorted = rates[v].clone();
      Arrays.sort(sorted);
      System.out.printf("%-4s %s: median %.1f MB/s of JSON per CPU second (min %.1f, max %.1f)%n", v == 0 ? "old" : "new",
          args[v], sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
    }
    Arrays.sort(ratio);
    System.out.printf("new/old, round by round: median %.3f (min %.3f, max %.3f)%n", ratio[rounds / 2], ratio[0],
        ratio[rounds - 1]);
  }
}
