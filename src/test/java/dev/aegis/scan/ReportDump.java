package dev.aegis.scan;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every report of the dev sets, one line each, so a change to the scanner's speed can be held to identical
 * findings: dump before, dump after, compare the files byte for byte. Reads the tool definitions ({@code scanTool}
 * of each, then every string of each alone as definition and as output text), the tool outputs ({@code scanText}
 * as output and as definition) and the tool changes ({@code scanTool} of both sides).
 *
 * <pre>{@code java -cp target/test-classes:target/classes:$(cat target/jmh-classpath.txt) \
 *     dev.aegis.scan.ReportDump ../shared/data /tmp/reports.txt }</pre>
 */
public final class ReportDump {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ReportDump() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
    Path out = Path.of(args.length > 1 ? args[1] : "target/scan-reports.txt");
    Scanner scanner = Scanner.builtIn();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
      for (JsonNode rec : lines(data.resolve("tool-definitions.dev.jsonl"))) {
        String id = rec.path("id").asString("");
        JsonNode tool = rec.path("tool");
        w.println(id + " tool " + scanner.scanTool(tool));
        List<String> strings = new ArrayList<>();
        strings(tool, strings);
        for (int i = 0; i < strings.size(); i++) {
          w.println(id + " def#" + i + " " + scanner.scanText("s", strings.get(i), Surface.DEFINITION));
          w.println(id + " out#" + i + " " + scanner.scanText("s", strings.get(i), Surface.OUTPUT));
        }
      }
      for (JsonNode rec : lines(data.resolve("tool-outputs.dev.jsonl"))) {
        String id = rec.path("id").asString("");
        String text = rec.path("text").asString("");
        w.println(id + " out " + scanner.scanText(id, text, Surface.OUTPUT));
        w.println(id + " def " + scanner.scanText(id, text, Surface.DEFINITION));
      }
      Path changes = data.resolve("tool-changes.dev.jsonl");
      if (Files.isRegularFile(changes)) {
        for (JsonNode rec : lines(changes)) {
          String id = rec.path("id").asString("");
          int k = 0;
          for (JsonNode v : rec) {
            if (v.isObject()) {
              w.println(id + " change#" + k++ + " " + scanner.scanTool(v));
            }
          }
        }
      }
    }
  }

  /** Every string of a JSON tree, object keys included, in document order. */
  static void strings(JsonNode node, List<String> out) {
    if (node.isString()) {
      out.add(node.asString());
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        strings(child, out);
      }
    } else if (node.isObject()) {
      for (var e : node.properties()) {
        out.add(e.getKey());
        strings(e.getValue(), out);
      }
    }
  }

  static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }
}
