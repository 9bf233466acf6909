package dev.aegis.bench;

import dev.aegis.scan.Report;
import dev.aegis.scan.Scanner;
import dev.aegis.scan.Surface;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the offline scanner costs: one typical tool definition ({@code typicalTool}, sampled, so JMH reports p99),
 * every tool definition of the labelled dev set ({@code allDefinitions}, one {@code scanTool} per definition, with a
 * {@code bytes} counter: bytes per second of definition JSON; {@code allDefinitionsByServer}, one {@code scanTools}
 * per server's list), and 100 KB of adversarial near-match text ({@code adversarialNearMatches}).
 *
 * <p>The dev set is {@code ../shared/data/tool-definitions.dev.jsonl} (or {@code -Daegis.bench.definitions=PATH});
 * without it, the bundled sample {@code src/test/resources/bench/tool-definitions.sample.jsonl} (60 records).
 *
 * <pre>{@code bench/jmh.sh ScannerBench -f 1 -wi 2 -i 3 -w 1s -r 1s }</pre>
 */
@State(Scope.Benchmark)
public class ScannerBench {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path DEV_SET = Path.of(System.getProperty("aegis.bench.definitions",
      "../shared/data/tool-definitions.dev.jsonl"));

  private final Scanner scanner = Scanner.builtIn();
  private JsonNode typical;
  private List<JsonNode> definitions;
  /** The same definitions as the lists their servers offer (the dev set's {@code server} field), in file order. */
  private List<List<JsonNode>> byServer;
  private long definitionBytes;
  private String nearMatches;

  /** Bytes of definition JSON scanned, reported by JMH as a rate next to the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  @Setup
  public void setup() throws IOException {
    typical = JSON.readTree(resource("/bench/typical-tool.json"));
    String lines = Files.isRegularFile(DEV_SET) ? Files.readString(DEV_SET, StandardCharsets.UTF_8)
        : resource("/bench/tool-definitions.sample.jsonl");
    definitions = new ArrayList<>();
    java.util.Map<String, List<JsonNode>> servers = new java.util.LinkedHashMap<>();
    for (String line : lines.split("\n")) {
      if (!line.isBlank()) {
        JsonNode record = JSON.readTree(line);
        JsonNode tool = record.path("tool");
        definitions.add(tool);
        servers.computeIfAbsent(record.path("server").asString(""), k -> new ArrayList<>()).add(tool);
        definitionBytes += JSON.writeValueAsBytes(tool).length;
      }
    }
    byServer = new ArrayList<>(servers.values());
    StringBuilder sb = new StringBuilder();
    String[] units = {"ignore all previous ", "disregard the prior ", "reveal the system ", "you are now ",
        "SWdub3Jl ", "&#105; ", "%69 "};
    for (int i = 0; sb.length() < 100 * 1024; i++) {
      sb.append(units[i % units.length]);
    }
    nearMatches = sb.toString();
    System.err.printf("ScannerBench: %d definitions, %d bytes of JSON (%s)%n", definitions.size(), definitionBytes,
        Files.isRegularFile(DEV_SET) ? DEV_SET : "bundled sample");
  }

  private static String resource(String name) {
    try (InputStream in = ScannerBench.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Report typicalTool() {
    return scanner.scanTool(typical);
  }

  /** Score: passes over the whole set per second; {@code allDefinitions:bytes}: bytes of JSON per second. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void allDefinitions(Bytes counter, Blackhole bh) {
    for (JsonNode tool : definitions) {
      bh.consume(scanner.scanTool(tool));
    }
    counter.bytes += definitionBytes;
  }

  /**
   * The same definitions scanned one server's list at a time, as the gateway scans a {@code tools/list} result and
   * {@code aegis scan} a server: strings that recur within a list (shared parameter names and descriptions) are
   * scanned once per list. Nothing is kept from one call to the next.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void allDefinitionsByServer(Bytes counter, Blackhole bh) {
    for (List<JsonNode> tools : byServer) {
      bh.consume(scanner.scanTools(tools, Scanner.Known.NONE));
    }
    counter.bytes += definitionBytes;
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Report adversarialNearMatches() {
    return scanner.scanText("bench", nearMatches, Surface.OUTPUT);
  }
}
