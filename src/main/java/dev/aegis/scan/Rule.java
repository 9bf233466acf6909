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
 * @param unless contexts that lower a match to info: text that quotes or discusses the phrase instead of saying it,
 *     or negates it
 * @param requires groups of words (same syntax as triggers); the pattern runs only when the text has a word of every
 *     group, a cheap test that keeps the regex away from ordinary text
 * @param squashed true for a rule that reads text with every space and punctuation removed
 *     ("ignoreallpreviousinstructions"); such a rule runs only on that reading
 * @param detector name of the code detector, or null for a pattern rule
 * @param window characters on each side of a trigger word that the pattern may see
 * @param message one line explaining a finding
 */
public record Rule(String id, Severity severity, String category, Set<Surface> on, Map<Surface, Severity> severities,
    List<String> triggers, Pattern pattern, List<Unless> unless, String detector, int window, String message,
    boolean squashed, List<List<String>> requires) {

  /** A context that lowers a match to info; with {@code quoted}, only when the match itself sits in quotes. */
  public record Unless(Pattern pattern, boolean quoted) {}


  public Rule {
    on = Set.copyOf(on);
    severities = Map.copyOf(severities);
    triggers = List.copyOf(triggers);
    unless = List.copyOf(unless);
    requires = requires.stream().map(List::copyOf).toList();
    if (requires.size() > 60) {
      throw new IllegalArgumentException("rule " + id + " has more than 60 'requires' groups");
    }
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
