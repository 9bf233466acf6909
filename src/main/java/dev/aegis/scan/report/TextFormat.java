package dev.aegis.scan.report;

import dev.aegis.scan.Finding;
import dev.aegis.scan.Report;
import dev.aegis.scan.Verdict;
import java.io.PrintStream;
import java.util.List;

/**
 * Scan results for people: per server, each subject with its verdict, and under it each finding with severity, rule,
 * pointer, the excerpt in «» and the message. Allowed subjects without findings are counted, not listed, unless
 * {@code all} is set.
 *
 * <pre>{@code
 * TextFormat.servers(System.out, scans, false);
 * }</pre>
 */
public final class TextFormat {
  private TextFormat() {}

  public static void servers(PrintStream out, List<ServerScan> scans, boolean all) {
    for (ServerScan s : scans) {
      out.println("server " + s.name() + "  (" + s.source() + ")");
      if (s.error() != null) {
        out.println("  not scanned: " + s.error());
        out.println();
        continue;
      }
      int quiet = 0;
      for (Report r : s.reports()) {
        if (!all && r.findings().isEmpty()) {
          quiet++;
          continue;
        }
        report(out, "  ", r);
      }
      if (quiet > 0) {
        out.println("  " + quiet + (quiet == s.reports().size() ? "" : " more") + " scanned with no findings");
      }
      if (s.reports().isEmpty()) {
        out.println("  offers nothing to scan");
      }
      out.println();
    }
  }

  /** One subject and its findings, each line starting with {@code indent}. */
  public static void report(PrintStream out, String indent, Report r) {
    String verdict = r.verdict() == Verdict.ALLOW ? "allow" : r.verdict().wire().toUpperCase(java.util.Locale.ROOT);
    out.println(indent + r.kind() + " " + r.name() + ": " + verdict
        + (r.suppressed() > 0 ? "  (" + r.suppressed() + " suppressed)" : ""));
    for (Finding f : r.findings()) {
      out.printf("%s  %-8s %-14s %s  «%s»%n%s      %s%n", indent, f.severity().wire(), f.ruleId(),
          f.pointer().isEmpty() ? "(root)" : f.pointer(), f.excerpt(), indent, f.message());
    }
  }
}
