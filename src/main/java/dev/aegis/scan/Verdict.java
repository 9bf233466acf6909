package dev.aegis.scan;

import java.util.Locale;

/**
 * What to do with a scanned tool or text: pass it, pass it with a warning, or stop it.
 *
 * <pre>{@code if (report.verdict() == Verdict.BLOCK) { hide(tool); } }</pre>
 */
public enum Verdict {
  ALLOW, WARN, BLOCK;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
