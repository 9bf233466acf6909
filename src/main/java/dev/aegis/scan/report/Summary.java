package dev.aegis.scan.report;

import dev.aegis.scan.Finding;
import dev.aegis.scan.Report;
import dev.aegis.scan.Severity;
import dev.aegis.scan.Verdict;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Counts over scanned subjects: verdicts, findings by severity, suppressed findings, servers that failed; and the
 * worst severity, which {@code --fail-on} compares with. Mutable and fed one report at a time, so that a streamed
 * scan need not keep its reports.
 *
 * <pre>{@code
 * Summary sum = new Summary();
 * reports.forEach(sum::add);
 * boolean fail = sum.reaches(Severity.HIGH);
 * }</pre>
 */
public final class Summary {
  private final Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
  private final Map<Severity, Integer> severities = new EnumMap<>(Severity.class);
  private int subjects;
  private int suppressed;
  private int errors;

  public void add(Report r) {
    subjects++;
    verdicts.merge(r.verdict(), 1, Integer::sum);
    suppressed += r.suppressed();
    for (Finding f : r.findings()) {
      severities.merge(f.severity(), 1, Integer::sum);
    }
  }

  public void addAll(List<ServerScan> scans) {
    for (ServerScan s : scans) {
      if (s.error() != null) {
        errors++;
      }
      s.reports().forEach(this::add);
    }
  }

  /** Whether any unsuppressed finding is at or above {@code level}. */
  public boolean reaches(Severity level) {
    return severities.keySet().stream().anyMatch(s -> s.atLeast(level));
  }

  public int errors() {
    return errors;
  }

  public int findings() {
    return severities.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** {@code 12 scanned: 1 block, 2 warn, 9 allow; 4 findings (1 high, 3 low), 2 suppressed; 1 server failed}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(subjects).append(" scanned: ");
    sb.append(verdicts.getOrDefault(Verdict.BLOCK, 0)).append(" block, ");
    sb.append(verdicts.getOrDefault(Verdict.WARN, 0)).append(" warn, ");
    sb.append(verdicts.getOrDefault(Verdict.ALLOW, 0)).append(" allow; ");
    sb.append(findings()).append(" finding").append(findings() == 1 ? "" : "s");
    if (!severities.isEmpty()) {
      sb.append(" (").append(severities.entrySet().stream()
          .sorted(Map.Entry.<Severity, Integer>comparingByKey().reversed())
          .map(e -> e.getValue() + " " + e.getKey().wire()).collect(Collectors.joining(", "))).append(")");
    }
    sb.append(", ").append(suppressed).append(" suppressed");
    if (errors > 0) {
      sb.append("; ").append(errors).append(" server").append(errors == 1 ? "" : "s").append(" not scanned");
    }
    return sb.toString();
  }
}
