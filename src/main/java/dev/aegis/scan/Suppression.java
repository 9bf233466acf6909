package dev.aegis.scan;

/**
 * An accepted finding: rule {@code rule} is ignored for subjects whose name matches {@code subject} (a glob with
 * {@code *}; null for every subject) at pointers starting with {@code pointer} (null for anywhere). Every
 * suppression carries the reason a person accepted it.
 *
 * <pre>{@code new Suppression("AEG-CRED-002", "ssh_*", null, "our ssh server documents its key path") }</pre>
 */
public record Suppression(String rule, String subject, String pointer, String reason) {
  public Suppression {
    if (rule == null || rule.isBlank() || reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a suppression needs a rule id and a reason");
    }
  }

  boolean covers(String subjectName, Finding f) {
    if (!rule.equals(f.ruleId()) && !"*".equals(rule)) {
      return false;
    }
    if (pointer != null && !f.pointer().startsWith(pointer)) {
      return false;
    }
    return subject == null || glob(subject, subjectName == null ? "" : subjectName);
  }

  static boolean glob(String glob, String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (g < glob.length() && glob.charAt(g) == text.charAt(t)) {
        g++;
        t++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = t;
      } else if (star >= 0) {
        g = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }
}
