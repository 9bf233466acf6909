package dev.aegis.scan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Measures a scanner on labelled data: JSON Lines of tool definitions ({@code {"id","label","attack_class","tool"}})
 * and of tool outputs ({@code {"id","label","attack_class","text"}}). A record counts as flagged when its verdict is
 * not {@code allow}. Prints recall per attack class, the false-positive rate on benign records, and, when asked,
 * every miss and false alarm with the finding that decided it.
 *
 * <pre>{@code Evaluation.Result r = Evaluation.run(Scanner.builtIn(), defs, outs); r.print(System.out, false); }</pre>
 */
public final class Evaluation {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Counts for one class of one file. */
  public static final class Row {
    int total;
    int flagged;
    final List<String> wrong = new ArrayList<>();

    public int total() {
      return total;
    }

    public int flagged() {
      return flagged;
    }
  }

  /** Per file, per class: how many records and how many were flagged. */
  public record Result(Map<String, Map<String, Row>> files, long nanos, long chars) {
    /** Fraction of malicious records of this file flagged. */
    public double recall(String file) {
      int total = 0;
      int flagged = 0;
      for (Map.Entry<String, Row> e : files.get(file).entrySet()) {
        if (!e.getKey().equals("none")) {
          total += e.getValue().total;
          flagged += e.getValue().flagged;
        }
      }
      return total == 0 ? 1 : (double) flagged / total;
    }

    /** Fraction of benign records of this file flagged. */
    public double falsePositiveRate(String file) {
      Row benign = files.get(file).get("none");
      return benign == null || benign.total == 0 ? 0 : (double) benign.flagged / benign.total;
    }

    public void print(PrintStream out, boolean details) {
      for (Map.Entry<String, Map<String, Row>> file : files.entrySet()) {
        out.println(file.getKey());
        out.printf("  %-22s %6s %8s %8s%n", "class", "count", "flagged", "rate");
        for (Map.Entry<String, Row> e : file.getValue().entrySet()) {
          Row r = e.getValue();
          out.printf("  %-22s %6d %8d %8.3f%n", e.getKey().equals("none") ? "benign (false alarms)" : e.getKey(),
              r.total, r.flagged, r.total == 0 ? 0 : (double) r.flagged / r.total);
        }
        out.printf("  recall %.3f, false-positive rate %.3f%n", recall(file.getKey()),
            falsePositiveRate(file.getKey()));
        if (details) {
          for (Map.Entry<String, Row> e : file.getValue().entrySet()) {
            for (String w : e.getValue().wrong) {
              out.println("    " + (e.getKey().equals("none") ? "false alarm " : "missed ") + w);
            }
          }
        }
      }
      double secs = nanos / 1e9;
      out.printf("scanned %d characters in %.3f s (%.1f MB/s)%n", chars, secs, chars / 1e6 / Math.max(secs, 1e-9));
    }
  }

  private Evaluation() {}

  /** Scans every record of the given files (either may be null). */
  public static Result run(Scanner scanner, Path definitions, Path outputs) throws IOException {
    Map<String, Map<String, Row>> files = new TreeMap<>();
    long chars = 0;
    long start = System.nanoTime();
    if (definitions != null) {
      Map<String, Row> rows = new TreeMap<>();
      for (JsonNode rec : read(definitions)) {
        JsonNode tool = rec.path("tool");
        chars += tool.toString().length();
        Report r = scanner.scanTool(tool);
        tally(rows, rec, r);
      }
      files.put(definitions.getFileName().toString(), rows);
    }
    if (outputs != null) {
      Map<String, Row> rows = new TreeMap<>();
      for (JsonNode rec : read(outputs)) {
        String text = rec.path("text").asString("");
        chars += text.length();
        Report r = scanner.scanText(rec.path("id").asString(""), text, Surface.OUTPUT);
        tally(rows, rec, r);
      }
      files.put(outputs.getFileName().toString(), rows);
    }
    return new Result(files, System.nanoTime() - start, chars);
  }

  private static void tally(Map<String, Row> rows, JsonNode rec, Report r) {
    String cls = "benign".equals(rec.path("label").asString()) ? "none" : rec.path("attack_class").asString("?");
    Row row = rows.computeIfAbsent(cls, k -> new Row());
    row.total++;
    boolean flagged = r.verdict() != Verdict.ALLOW;
    if (flagged) {
      row.flagged++;
    }
    boolean malicious = !cls.equals("none");
    if (flagged != malicious) {
      Finding w = r.worst();
      row.wrong.add(rec.path("id").asString() + (w == null ? "" : " " + w.ruleId() + " " + w.severity().wire() + " "
          + w.pointer() + " «" + w.excerpt() + "»"));
    }
  }

  static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(JSON.readTree(line));
        } catch (tools.jackson.core.JacksonException e) {
          throw new IOException(file + ":" + n + ": not JSON: " + e.getOriginalMessage());
        }
      }
    }
    return out;
  }
}
