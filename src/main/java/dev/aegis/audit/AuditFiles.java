package dev.aegis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of an audit log, {@code audit-NNNNNN.jsonl} in number order, and their lines.
 *
 * <pre>{@code for (AuditFiles.Line line : AuditFiles.lines(dir)) { ... } }</pre>
 */
public final class AuditFiles {
  private AuditFiles() {}

  /** One line of a log file; {@code complete} is false for a final line with no newline (a torn write). */
  public record Line(Path file, int number, String text, boolean complete) {
    /** {@code audit-000002.jsonl:17}. */
    public String where() {
      return file.getFileName() + ":" + number;
    }
  }

  static String name(int number) {
    return String.format("audit-%06d.jsonl", number);
  }

  /** The number in a log file's name, or -1 when it is not one. */
  static int number(Path file) {
    String n = file.getFileName().toString();
    if (!n.matches("audit-\\d{6,}\\.jsonl")) {
      return -1;
    }
    return Integer.parseInt(n.substring(6, n.length() - 6));
  }

  /** The log files in {@code dir} in order; empty when there is none. */
  public static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> number(p) >= 0).sorted((a, b) -> Integer.compare(number(a), number(b))).toList();
    }
  }

  /** Every line of one file. */
  public static List<Line> lines(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<Line> out = new ArrayList<>();
    int start = 0;
    int number = 1;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) {
        out.add(new Line(file, number, text.substring(start), false));
        break;
      }
      out.add(new Line(file, number++, text.substring(start, nl), true));
      start = nl + 1;
    }
    return out;
  }

  /** Every line of every file, in order. */
  public static List<Line> allLines(Path dir) throws IOException {
    List<Line> out = new ArrayList<>();
    for (Path f : list(dir)) {
      out.addAll(lines(f));
    }
    return out;
  }
}
