package dev.aegis.bench;

import dev.aegis.pin.Fingerprints;
import dev.aegis.pin.Identity;
import dev.aegis.pin.ListDiff;
import dev.aegis.pin.Lockfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What pinning adds to a 100-tool {@code tools/list}: {@code fingerprintHundred} is the steady state (every tool
 * fingerprinted, from the cache of definitions already seen); {@code fingerprintHundredFirstSight} the first time; {@code diffHundredFiveChanged} is a list where five tools changed
 * (their semantic diff, with the scanner's look at the changed text); {@code diffHundredAllChanged} the worst case.
 * Tools: the first 100 benign definitions of {@code ../shared/data/tool-definitions.dev.jsonl}, else the bundled
 * sample repeated.
 *
 * <pre>{@code bench/jmh.sh PinBench}</pre>
 */
@State(Scope.Benchmark)
public class PinBench {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path DEV_SET = Path.of(System.getProperty("aegis.bench.definitions",
      "../shared/data/tool-definitions.dev.jsonl"));
  private final Identity server = new Identity(List.of("npx", "-y", "some-server"), null, "some-server", "1.0.0");
  private List<JsonNode> tools;
  private List<JsonNode> fiveChanged;
  private List<JsonNode> allChanged;

  @Setup
  public void setup() throws IOException {
    String lines;
    if (Files.isRegularFile(DEV_SET)) {
      lines = Files.readString(DEV_SET, StandardCharsets.UTF_8);
    } else {
      try (InputStream in = PinBench.class.getResourceAsStream("/bench/tool-definitions.sample.jsonl")) {
        lines = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    List<JsonNode> benign = new ArrayList<>();
    for (String line : lines.split("\n")) {
      if (!line.isBlank()) {
        JsonNode rec = JSON.readTree(line);
        if (!rec.path("label").asString("benign").equals("malicious")) {
          benign.add(rec.path("tool"));
        }
      }
    }
    tools = new ArrayList<>();
    for (int i = 0; tools.size() < 100; i++) {
      ObjectNode t = ((ObjectNode) benign.get(i % benign.size())).deepCopy();
      t.put("name", t.path("name").asString("") + "_" + i);
      tools.add(t);
    }
    fiveChanged = new ArrayList<>();
    allChanged = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      ObjectNode changed = ((ObjectNode) tools.get(i)).deepCopy();
      changed.put("description", changed.path("description").asString("") + " Now faster.");
      fiveChanged.add(i % 20 == 0 ? changed : tools.get(i));
      allChanged.add(changed);
    }
  }

  /** A re-listed catalogue (what every session and list_changed costs after the first time). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void fingerprintHundred(Blackhole bh) {
    for (JsonNode t : tools) {
      bh.consume(Fingerprints.of(server, Lockfile.Kind.TOOL, t));
    }
  }

  /** The first time a process sees these definitions: canonical JSON and SHA-256 of each (a new identity each time). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void fingerprintHundredFirstSight(Blackhole bh) {
    Identity fresh = new Identity(List.of("npx", "-y", "server-" + (++round)), null, "s", "1.0.0");
    for (JsonNode t : tools) {
      bh.consume(Fingerprints.of(fresh, Lockfile.Kind.TOOL, t));
    }
  }

  private long round;

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public ListDiff diffHundredFiveChanged() {
    return ListDiff.of(tools, fiveChanged);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public ListDiff diffHundredAllChanged() {
    return ListDiff.of(tools, allChanged);
  }
}
