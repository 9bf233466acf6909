package dev.aegis.audit;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Replaces text that looks like a secret with {@code [masked:KIND]} before it reaches the audit log: AWS access key
 * ids, GitHub tokens, {@code sk-} API keys, JWTs, {@code Bearer} credentials, {@code password=...}-style pairs and
 * long high-entropy tokens. RE2/J only (linear time), and the input is cut to {@link #MAX_INPUT} characters first.
 *
 * <pre>{@code String safe = SecretMask.mask("denied for AKIAIOSFODNN7EXAMPLE", "/error", masked); }</pre>
 */
public final class SecretMask {
  /** Longest text examined; anything beyond is dropped before matching. */
  public static final int MAX_INPUT = 2048;

  /** {@code may}: a cheap condition every match needs; most audited texts (methods, tool names) fail it. */
  record Rule(String kind, Pattern pattern, int group, Predicate<String> may) {}

  static final List<Rule> RULES = List.of(
      new Rule("jwt", Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"), 0,
          s -> s.contains("eyJ")),
      new Rule("aws-key", Pattern.compile("\\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\\b"), 0,
          s -> s.length() >= 20),
      new Rule("github-token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})"), 0,
          s -> s.contains("gh") || s.contains("github_pat_")),
      new Rule("api-key", Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), 0, s -> s.contains("sk-")),
      // (?i) folds b, e, a and r to their ASCII capitals only (no other Unicode letter folds to them)
      new Rule("bearer", Pattern.compile("(?i)\\bbearer\\s+([A-Za-z0-9._~+/=-]{8,})"), 1,
          s -> s.toLowerCase(Locale.ROOT).contains("bearer")),
      new Rule("credential", Pattern.compile(
          "(?i)\\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)\\b\\s*[:=]\\s*"
              + "[\"']?([^\\s\"',;]{4,})"), 1, s -> s.indexOf(':') >= 0 || s.indexOf('=') >= 0));
  private static final int TOKEN_LENGTH = 32;
  static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9+/_=-]{32,}");

  private SecretMask() {}

  /**
   * Returns {@code text} with secrets masked; when anything was masked, adds {@code pointer} to {@code masked}.
   * Null stays null.
   */
  public static String mask(String text, String pointer, List<String> masked) {
    if (text == null) {
      return null;
    }
    String out = text.length() > MAX_INPUT ? text.substring(0, MAX_INPUT) : text;
    boolean changed = false;
    for (Rule rule : RULES) {
      if (!rule.may().test(out)) {
        continue;
      }
      Matcher m = rule.pattern().matcher(out);
      if (!m.find()) {
        continue;
      }
      StringBuilder sb = new StringBuilder();
      int last = 0;
      do {
        sb.append(out, last, m.start(rule.group())).append("[masked:").append(rule.kind()).append(']');
        last = m.end(rule.group());
      } while (m.find());
      sb.append(out, last, out.length());
      out = sb.toString();
      changed = true;
    }
    if (out.length() >= TOKEN_LENGTH) {
      Matcher m = TOKEN.matcher(out);
      StringBuilder sb = new StringBuilder();
      int last = 0;
      while (m.find()) {
        if (highEntropy(m.group())) {
          sb.append(out, last, m.start()).append("[masked:high-entropy]");
          last = m.end();
          changed = true;
        }
      }
      if (last > 0) {
        sb.append(out, last, out.length());
        out = sb.toString();
      }
    }
    if (changed) {
      masked.add(pointer);
    }
    return out;
  }

  /** At least 3.5 bits per character, and both letters and digits: random keys, not words or paths. */
  static boolean highEntropy(String token) {
    int[] counts = new int[128];
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      counts[c & 127]++;
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
    }
    if (!letter || !digit) {
      return false;
    }
    double bits = 0;
    for (int n : counts) {
      if (n > 0) {
        double p = (double) n / token.length();
        bits -= p * (Math.log(p) / Math.log(2));
      }
    }
    return bits >= 3.5;
  }
}
