package dev.aegis.scan;

import java.util.List;

/**
 * The scan of one subject: a tool, prompt, resource, server's instructions, text or call result.
 *
 * @param kind {@code tool}, {@code prompt}, {@code resource}, {@code instructions}, {@code text} or {@code output}
 * @param name the subject's name (tool name, prompt name, resource URI, text id)
 * @param verdict allow, warn or block under the scanner's thresholds
 * @param findings what was found, suppressed ones removed, most severe first
 * @param suppressed how many findings suppressions removed
 */
public record Report(String kind, String name, Verdict verdict, List<Finding> findings, int suppressed) {
  public Report {
    findings = List.copyOf(findings);
  }

  /** The most severe finding, or null. */
  public Finding worst() {
    return findings.isEmpty() ? null : findings.get(0);
  }
}
