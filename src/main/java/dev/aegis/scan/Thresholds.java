package dev.aegis.scan;

import java.util.List;

/**
 * Turns findings into a verdict: {@code block} from {@code blockAt} up, {@code warn} from {@code warnAt} up,
 * {@code allow} below. The defaults warn at medium and block at high.
 *
 * <pre>{@code Verdict v = Thresholds.DEFAULT.verdict(findings); }</pre>
 */
public record Thresholds(Severity warnAt, Severity blockAt) {
  public static final Thresholds DEFAULT = new Thresholds(Severity.MEDIUM, Severity.HIGH);

  public Thresholds {
    if (warnAt == null || blockAt == null || warnAt.compareTo(blockAt) > 0) {
      throw new IllegalArgumentException("thresholds need warnAt <= blockAt");
    }
  }

  public Verdict verdict(List<Finding> findings) {
    Severity worst = null;
    for (Finding f : findings) {
      if (worst == null || f.severity().compareTo(worst) > 0) {
        worst = f.severity();
      }
    }
    if (worst == null) {
      return Verdict.ALLOW;
    }
    return worst.atLeast(blockAt) ? Verdict.BLOCK : worst.atLeast(warnAt) ? Verdict.WARN : Verdict.ALLOW;
  }
}
