package dev.aegis.pin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An npm-style version range, as a lockfile writes which server versions it accepts.
 *
 * <pre>{@code
 * VersionRange r = VersionRange.parse("^1.2 || >=2.1.0 <2.3.0");
 * r.matches(SemVer.parse("1.9.0"));  // true
 * r.matches(SemVer.parse("2.0.0"));  // false
 * r.toString();                      // "^1.2 || >=2.1.0 <2.3.0"
 * }</pre>
 *
 * <p>Syntax: alternatives separated by {@code ||}, each a space-separated list of comparators that must all hold.
 * A comparator is one of
 * <ul>
 *   <li>{@code 1.2.3}, {@code =1.2.3}, {@code v1.2.3}: exactly that version;
 *   <li>{@code *}, {@code x}, {@code 1}, {@code 1.x}, {@code 1.2}, {@code 1.2.x}: x-ranges ({@code 1.2} is
 *       {@code >=1.2.0 <1.3.0});
 *   <li>{@code ^1.2.3}: no change to the left-most non-zero number ({@code ^0.3.1} is {@code >=0.3.1 <0.4.0},
 *       {@code ^0.0.3} is {@code >=0.0.3 <0.0.4}), {@code ^1.2} and {@code ^1} fill the gaps with zeros;
 *   <li>{@code ~1.2.3}, {@code ~1.2}: patch changes only; {@code ~1}: minor changes too;
 *   <li>{@code >}, {@code >=}, {@code <}, {@code <=} with a full or partial version ({@code >1.2} is
 *       {@code >=1.3.0}, {@code <=1.2} is {@code <1.3.0}); a space after the operator is allowed.
 * </ul>
 * Stricter than npm, on purpose, since a lockfile entry that reads as "anything" is more likely a mistake than a
 * wish: an empty range or empty alternative is rejected (npm reads it as {@code *}; write {@code *}), and so are
 * hyphen ranges ({@code 1.2.3 - 2.0.0}), x-ranges after an operator ({@code >=1.x}), {@code ~>} and numbers that
 * do not fit an {@code int}. Every range this class accepts matches the versions npm's {@code semver} would.
 *
 * <p>Pre-releases follow npm's rule: a version with a pre-release matches an alternative only when, besides
 * satisfying every comparator, one of that alternative's comparators names the same major.minor.patch with a
 * pre-release. So {@code ^1.2.3-beta.2} accepts {@code 1.2.3-beta.4} but not {@code 1.3.0-beta.1}, and {@code *}
 * accepts no pre-release at all. Build metadata in a range is dropped like everywhere else.
 *
 * <p>Two ranges are equal when they were written the same.
 */
public final class VersionRange {
  /** Longer range text is rejected before it is looked at. */
  public static final int MAX_LENGTH = 1024;
  private static final String SHAPE = "a range looks like 1.2.3, ^1.2, ~1.2.3, 1.x, *, >=1.2.0 <2.0.0, "
      + "or alternatives joined by ||";

  private final String text;
  private final List<List<Comparator>> alternatives;

  private VersionRange(String text, List<List<Comparator>> alternatives) {
    this.text = text;
    this.alternatives = alternatives;
  }

  /** Parses {@code text}, or throws {@link IllegalArgumentException} naming the part it could not read. */
  public static VersionRange parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("version range is missing; " + SHAPE);
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("version range " + SemVer.quote(text) + " is " + text.length()
          + " characters long, more than " + MAX_LENGTH);
    }
    List<List<Comparator>> alternatives = new ArrayList<>();
    for (String alternative : text.split("\\|\\|", -1)) {
      List<String> tokens = tokens(alternative);
      if (tokens.isEmpty()) {
        throw bad(text, text.isBlank() ? "it is empty" : "an empty alternative around ||");
      }
      List<Comparator> set = new ArrayList<>();
      for (String token : tokens) {
        comparators(text, token, set);
      }
      alternatives.add(List.copyOf(set));
    }
    return new VersionRange(text, List.copyOf(alternatives));
  }

  /** True when {@code version} satisfies at least one alternative. */
  public boolean matches(SemVer version) {
    for (List<Comparator> set : alternatives) {
      if (matches(set, version)) {
        return true;
      }
    }
    return false;
  }

  /** The text this range was parsed from. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionRange r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  private static boolean matches(List<Comparator> set, SemVer v) {
    for (Comparator c : set) {
      if (!c.test(v)) {
        return false;
      }
    }
    if (!v.isPreRelease()) {
      return true;
    }
    // npm: a pre-release is only let in by a comparator that opted into pre-releases of the same release
    for (Comparator c : set) {
      if (c.version.isPreRelease() && c.version.release().equals(v.release())) {
        return true;
      }
    }
    return false;
  }

  /** Splits on whitespace and glues a bare operator to the version after it ({@code ">= 1.2"}). */
  private static List<String> tokens(String alternative) {
    List<String> out = new ArrayList<>();
    String pending = "";
    for (String t : alternative.trim().split("\\s+")) {
      if (t.isEmpty()) {
        continue;
      }
      if (t.matches("[<>]=?|=|\\^|~")) {
        pending += t;
        continue;
      }
      out.add(pending + t);
      pending = "";
    }
    if (!pending.isEmpty()) {
      out.add(pending); // a dangling operator; reported when it fails to parse
    }
    return out;
  }

  private static void comparators(String text, String token, List<Comparator> out) {
    if (token.equals("-")) {
      throw bad(text, "hyphen ranges (A - B) are not supported, write >=A <=B");
    }
    String op = token.startsWith(">=") || token.startsWith("<=") ? token.substring(0, 2)
        : token.startsWith(">") || token.startsWith("<") || token.startsWith("=") || token.startsWith("^")
            || token.startsWith("~") ? token.substring(0, 1) : "";
    Partial p = Partial.parse(text, token, token.substring(op.length()), !op.matches("[<>]=?"));
    switch (op) {
      case "", "=" -> xRange(p, out);
      case "^" -> caret(p, out);
      case "~" -> tilde(p, out);
      case ">=" -> out.add(new Comparator(Op.GE, p.floor()));
      case "<" -> out.add(new Comparator(Op.LT, p.floor()));
      case ">" -> out.add(p.parts == 3 ? new Comparator(Op.GT, p.floor()) : atLeastOrNothing(p.next()));
      case "<=" -> out.add(p.parts == 3 ? new Comparator(Op.LE, p.floor()) : below(p.next()));
      default -> throw new IllegalStateException(op);
    }
  }

  private static void xRange(Partial p, List<Comparator> out) {
    if (p.parts == 3) {
      out.add(new Comparator(Op.EQ, p.floor()));
      return;
    }
    out.add(new Comparator(Op.GE, p.floor()));
    if (p.parts > 0) {
      out.add(below(p.next()));
    }
  }

  private static void caret(Partial p, List<Comparator> out) {
    out.add(new Comparator(Op.GE, p.floor()));
    if (p.parts == 0) {
      return;
    }
    // the left-most non-zero number the range names stays fixed; a number it leaves out may change
    Bump upper;
    if (p.major != 0 || p.parts == 1) {
      upper = Bump.of(p.major, 0, 0, 1);
    } else if (p.minor != 0 || p.parts == 2) {
      upper = Bump.of(0, p.minor, 0, 2);
    } else {
      upper = Bump.of(0, 0, p.patch, 3);
    }
    out.add(below(upper));
  }

  private static void tilde(Partial p, List<Comparator> out) {
    out.add(new Comparator(Op.GE, p.floor()));
    if (p.parts == 0) {
      return;
    }
    out.add(below(p.parts == 1 ? Bump.of(p.major, 0, 0, 1) : Bump.of(p.major, p.minor, 0, 2)));
  }

  private static Comparator below(Bump b) {
    // past the largest major there is nothing to exclude: every version is below the bound
    return b.version == null ? new Comparator(Op.GE, SemVer.of(0, 0, 0)) : new Comparator(Op.LT, b.version);
  }

  private static Comparator atLeastOrNothing(Bump b) {
    return b.version == null ? new Comparator(Op.NONE, SemVer.of(0, 0, 0)) : new Comparator(Op.GE, b.version);
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("not a version range: " + SemVer.quote(text) + " (" + why + "); " + SHAPE);
  }

  private enum Op { EQ, GT, GE, LT, LE, NONE }

  private record Comparator(Op op, SemVer version) {
    boolean test(SemVer v) {
      int c = v.compareTo(version);
      return switch (op) {
        case EQ -> c == 0;
        case GT -> c > 0;
        case GE -> c >= 0;
        case LT -> c < 0;
        case LE -> c <= 0;
        case NONE -> false;
      };
    }
  }

  /**
   * The first version past a partial one. A number already at Integer.MAX_VALUE carries into the one before it
   * ({@code 1.2147483647} is followed by {@code 2.0.0}); past the largest major there is nothing, and version is null.
   */
  private record Bump(SemVer version) {
    static Bump of(int major, int minor, int patch, int position) {
      return switch (position) {
        case 3 -> patch == Integer.MAX_VALUE ? of(major, minor, 0, 2) : new Bump(SemVer.of(major, minor, patch + 1));
        case 2 -> minor == Integer.MAX_VALUE ? of(major, 0, 0, 1) : new Bump(SemVer.of(major, minor + 1, 0));
        default -> major == Integer.MAX_VALUE ? new Bump(null) : new Bump(SemVer.of(major + 1, 0, 0));
      };
    }
  }

  /** A version with 0 to 3 numbers given ({@code *}, {@code 1}, {@code 1.2}, {@code 1.2.3-pre}). */
  private record Partial(int parts, int major, int minor, int patch, String preRelease) {
    static Partial parse(String text, String token, String v, boolean wildcardsAllowed) {
      if (v.isEmpty()) {
        throw bad(text, "\"" + token + "\" has an operator but no version");
      }
      String core = v.startsWith("v") || v.startsWith("V") ? v.substring(1) : v;
      int cut = indexOfAny(core, '-', '+');
      String[] fields = (cut < 0 ? core : core.substring(0, cut)).split("\\.", -1);
      if (fields.length > 3) {
        throw bad(text, "\"" + token + "\" has more than three numbers");
      }
      int given = 0;
      boolean wild = false;
      for (String f : fields) {
        if (f.equals("*") || f.equalsIgnoreCase("x")) {
          wild = true;
        } else if (wild) {
          throw bad(text, "\"" + token + "\" has a number after a wildcard");
        } else {
          given++;
        }
      }
      if (wild && !wildcardsAllowed) {
        throw bad(text, "\"" + token + "\" puts a wildcard after a comparison operator");
      }
      if (given < 3 && cut >= 0) {
        throw bad(text, "\"" + token + "\" has a pre-release or build without all three numbers");
      }
      if (given == 0) {
        return new Partial(0, 0, 0, 0, "");
      }
      String full = String.join(".", Arrays.copyOf(fields, given)) + (cut < 0 ? "" : core.substring(cut));
      SemVer parsed;
      try {
        parsed = SemVer.parse(full);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "not a version range: " + SemVer.quote(text) + " (\"" + token + "\" is not a version); " + SHAPE, e);
      }
      return new Partial(given, parsed.major(), parsed.minor(), parsed.patch(), parsed.preRelease());
    }

    SemVer floor() {
      return new SemVer(major, minor, patch, preRelease);
    }

    Bump next() {
      return Bump.of(major, minor, patch, parts);
    }

    private static int indexOfAny(String s, char a, char b) {
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) == a || s.charAt(i) == b) {
          return i;
        }
      }
      return -1;
    }
  }
}
