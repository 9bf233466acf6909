package dev.aegis.scan;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rule from a rule file: either a pattern (RE2/J, run only in bounded windows around its trigger words) or a
 * named detector implemented in code (invisible characters, confusable names, contradicting annotations...).
 *
 * @param id stable id such as {@code AEG-PI-001}; findings and suppressions name it
 * @param severity default severity
 * @param category e.g. {@code injection}, {@code exfiltration}; used in reports and the evaluation table
 * @param on the surfaces the rule applies to
 * @param severities severity per surface where it differs from {@code severity}
 * @param triggers lower-case words (a trailing {@code *} makes a prefix) whose presence runs the pattern nearby; an
 *     empty list runs the pattern over the whole (bounded) text
 * @param pattern what to find (compiled case-insensitive), or null for a detector
 * @param unless context that lowers a match to info: text that quotes or discusses the phrase instead of saying it
 * @param detector name of the code detector, or null for a pattern rule
 * @param window characters on each side of a trigger word that the pattern may see
 * @param message one line explaining a finding
 */
public record Rule(String id, Severity severity, String category, Set<Surface> on, Map<Surface, Severity> severities,
    List<String> triggers, Pattern pattern, Pattern unless, String detector, int window, String message) {

  public Rule {
    on = Set.copyOf(on);
    severities = Map.copyOf(severities);
    triggers = List.copyOf(triggers);
    if ((pattern == null) == (detector == null)) {
      throw new IllegalArgumentException("rule " + id + " needs exactly one of pattern and detector");
    }
  }

  public Severity severityOn(Surface surface) {
    return severities.getOrDefault(surface, severity);
  }

  public boolean appliesTo(Surface surface) {
    return on.contains(surface);
  }
}
