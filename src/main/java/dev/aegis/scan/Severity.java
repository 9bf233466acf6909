package dev.aegis.scan;

import java.util.Locale;

/**
 * How bad a finding is, lowest first. {@link Thresholds} turn the worst severity of a subject into a verdict.
 *
 * <pre>{@code Severity.parse("high").atLeast(Severity.MEDIUM)  // true }</pre>
 */
public enum Severity {
  INFO, LOW, MEDIUM, HIGH, CRITICAL;

  public boolean atLeast(Severity other) {
    return compareTo(other) >= 0;
  }

  /** The lower-case name used in rule files, reports and config. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code info|low|medium|high|critical} (any case). */
  public static Severity parse(String text) {
    for (Severity s : values()) {
      if (s.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown severity '" + text + "' (use info, low, medium, high or critical)");
  }
}
