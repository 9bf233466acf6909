package dev.aegis.scan;

/**
 * One thing a rule found.
 *
 * <pre>{@code new Finding("AEG-PI-001", Severity.HIGH, "/description", "ignore all previous instructions",
 *     "asks the model to ignore its instructions") }</pre>
 *
 * @param ruleId the rule's id from the rule file
 * @param severity how bad it is (after context: a quoted example is lowered to info)
 * @param pointer JSON Pointer (RFC 6901) to the string that matched, relative to the scanned object
 * @param excerpt the matched text as the rule saw it (normalised, decoded), invisible characters escaped, bounded
 * @param message one line a person can read
 */
public record Finding(String ruleId, Severity severity, String pointer, String excerpt, String message) {
  public Finding {
    if (ruleId == null || severity == null || pointer == null || excerpt == null || message == null) {
      throw new IllegalArgumentException("finding needs rule, severity, pointer, excerpt and message");
    }
  }

  Finding withSeverity(Severity s, String why) {
    return new Finding(ruleId, s, pointer, excerpt, why == null ? message : message + " (" + why + ")");
  }
}
