package dev.aegis.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The {@code scan:} section: whether and how the gateway scans definitions and outputs.
 *
 * <pre>{@code
 * scan:
 *   outputs: redact        # off | annotate | redact | block
 *   warnAt: medium
 *   blockAt: high
 *   rules: [my-rules.yaml] # extra rule files, relative to this file
 * }</pre>
 *
 * @param definitions scan tools, prompts, resources and server instructions; blocked ones are hidden
 * @param outputs what to do with flagged call outputs: off, annotate, redact or block
 * @param warnAt lowest severity that warns
 * @param blockAt lowest severity that blocks
 * @param maxOutputChars most characters of one call output scanned (the rest is reported as not scanned)
 * @param rules user rule files layered on the built-in rules, in order
 */
public record ScanConfig(boolean definitions, String outputs, String warnAt, String blockAt, int maxOutputChars,
    List<Path> rules) {
  public static final Set<String> OUTPUT_MODES = Set.of("off", "annotate", "redact", "block");
  public static final List<String> SEVERITIES = List.of("info", "low", "medium", "high", "critical");
  public static final ScanConfig DEFAULT = new ScanConfig(true, "redact", "medium", "high", 256 * 1024, List.of());

  public ScanConfig {
    rules = List.copyOf(rules);
    if (!OUTPUT_MODES.contains(outputs) || !SEVERITIES.contains(warnAt) || !SEVERITIES.contains(blockAt)
        || SEVERITIES.indexOf(warnAt) > SEVERITIES.indexOf(blockAt) || maxOutputChars <= 0) {
      throw new IllegalArgumentException("invalid scan settings");
    }
  }
}
