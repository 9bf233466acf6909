package dev.aegis.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A name pattern where {@code *} stands for any run of characters (possibly empty) and everything else is literal.
 * Hand-written instead of a regex: matching is a prefix test, a suffix test and a left-to-right {@code indexOf} per
 * middle piece, so it is linear in the name, allocates nothing and cannot be made to backtrack.
 */
final class Glob {
  static final int MAX_LENGTH = 256;
  // characters other glob dialects give a meaning to: refused so nobody writes tool? or [ab] expecting it to work
  private static final String RESERVED = "?[]{}\\";

  private final String text;
  private final String prefix;
  private final String suffix;
  private final String[] middle;
  private final boolean star;
  private final int minLength;

  private Glob(String text) {
    this.text = text;
    int first = text.indexOf('*');
    star = first >= 0;
    if (!star) {
      prefix = text;
      suffix = "";
      middle = new String[0];
    } else {
      int last = text.lastIndexOf('*');
      prefix = text.substring(0, first);
      suffix = text.substring(last + 1);
      List<String> pieces = new ArrayList<>();
      int from = first + 1;
      while (from < last) {
        int next = text.indexOf('*', from);
        if (next > from) {
          pieces.add(text.substring(from, next));
        }
        from = next + 1;
      }
      middle = pieces.toArray(String[]::new);
    }
    int min = prefix.length() + suffix.length();
    for (String m : middle) {
      min += m.length();
    }
    minLength = min;
  }

  /** The glob, or the reason it is not one (returned, not thrown, so the parser can collect it). */
  static Object compile(String text) {
    if (text == null || text.isEmpty()) {
      return "a pattern must not be empty";
    }
    if (text.length() > MAX_LENGTH) {
      return "a pattern must be at most " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (RESERVED.indexOf(c) >= 0) {
        return "'" + c + "' is not supported in patterns (only * is a wildcard): '" + text + "'";
      }
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "a pattern must not contain spaces or control characters: '" + text + "'";
      }
    }
    return new Glob(text);
  }

  /** Whether the whole {@code name} matches. */
  boolean matches(String name) {
    if (!star) {
      return prefix.equals(name);
    }
    if (name.length() < minLength || !name.startsWith(prefix) || !name.endsWith(suffix)) {
      return false;
    }
    int from = prefix.length();
    int end = name.length() - suffix.length();
    for (String m : middle) {
      int at = name.indexOf(m, from);
      if (at < 0 || at + m.length() > end) {
        return false;
      }
      from = at + m.length();
    }
    return true;
  }

  /** True when this glob matches exactly one name (no {@code *}). */
  boolean literal() {
    return !star;
  }

  @Override
  public String toString() {
    return text;
  }
}
