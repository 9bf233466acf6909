package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The knowledge-graph session of {@code ../shared/bench/memory-compat.mjs}, replayed with the official TypeScript SDK
 * client against the real {@code @modelcontextprotocol/server-memory} and against Aegis's memory, both as
 * {@code aegis memory serve} and as the gateway's {@code builtin: memory}: the answers must be the same.
 */
class MemoryCompatIT {
  @TempDir
  Path tmp;

  @Test
  void aegisMemoryServeAnswersAsServerMemoryDoes() throws Exception {
    String aegis = String.join(" ", Interop.java(), "-XX:TieredStopAtLevel=1", "-jar", Interop.jar().toString(),
        "memory", "serve");
    JsonNode summary = compare(aegis);
    assertThat(summary.path("differences")).as(summary.toString()).isEmpty();
    assertThat(summary.path("steps").asInt()).isEqualTo(10);
  }

  @Test
  void theGatewaysBuiltinMemoryAnswersAsServerMemoryDoes() throws Exception {
    Path config = tmp.resolve("aegis.yaml");
    Files.writeString(config, "servers:\n  memory:\n    builtin: memory\n");
    String gateway = String.join(" ", Interop.gatewayCommand(config));
    JsonNode summary = compare(gateway);
    assertThat(summary.path("differences")).as(summary.toString()).isEmpty();
  }

  /** Runs the shared script with server-memory as --a and {@code command} as --b; its JSON summary. */
  private JsonNode compare(String command) throws Exception {
    Path script = Path.of(System.getProperty("aegis.interop", "interop")).toAbsolutePath().getParent().getParent()
        .resolve("shared/bench/memory-compat.mjs");
    assertThat(script).as("../shared/bench/memory-compat.mjs").isRegularFile();
    // the script imports the SDK by name: run a copy from a folder whose node_modules is the repo's interop one
    Path run = Interop.createDir(tmp, "compat");
    Files.copy(script, run.resolve("memory-compat.mjs"));
    Files.createSymbolicLink(run.resolve("node_modules"), Interop.dir().resolve("node_modules"));
    List<String> cmd = new ArrayList<>(List.of(Interop.node(), run.resolve("memory-compat.mjs").toString(),
        "--a", Interop.node() + " " + Interop.memory(), "--b", command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve("compat.err").toFile())
        .redirectOutput(tmp.resolve("compat.out").toFile());
    pb.environment().putAll(Map.of("MEMORY_FILE_PATH", tmp.resolve("server-memory.jsonl").toString(),
        "AEGIS_HOME", Interop.createDir(tmp, "home").toString()));
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("memory-compat.mjs did not finish: " + Files.readString(tmp.resolve("compat.err")));
    }
    String out = Files.readString(tmp.resolve("compat.out")).trim();
    assertThat(out).as("stdout; stderr: " + Files.readString(tmp.resolve("compat.err"))).startsWith("{");
    return JsonMapper.shared().readTree(out);
  }
}
