package dev.aegis.pin;

import java.util.Optional;

/**
 * A semantic version (semver.org 2.0.0) as servers report it in {@code serverInfo.version}: major, minor, patch and
 * an optional pre-release ({@code ""} when there is none). Build metadata is accepted when parsing and dropped, since
 * it takes no part in precedence; so equality, hash code and {@link #compareTo} agree.
 *
 * <pre>{@code
 * SemVer v = SemVer.parse("v1.4.0-beta.2+sha.5114f85");
 * v.toString();                                  // "1.4.0-beta.2"
 * v.compareTo(SemVer.parse("1.4.0")) < 0;        // true: a pre-release precedes its release
 * SemVer.tryParse("latest");                     // Optional.empty()
 * }</pre>
 *
 * <p>Lenient in the ways servers actually report versions: a leading {@code v}, and a missing minor or patch
 * ({@code "1.2"} is 1.2.0, {@code "1"} is 1.0.0, but then without pre-release or build). Strict otherwise: no
 * leading zeros, no whitespace, at most {@value #MAX_LENGTH} characters, components that fit an {@code int}.
 *
 * @param major the major version, at least 0
 * @param minor the minor version, at least 0
 * @param patch the patch version, at least 0
 * @param preRelease dot-separated pre-release identifiers without the leading {@code -}, or {@code ""}
 */
public record SemVer(int major, int minor, int patch, String preRelease) implements Comparable<SemVer> {
  /** Longer input is rejected before it is looked at. */
  public static final int MAX_LENGTH = 256;
  private static final String SHAPE =
      "a version looks like MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD], e.g. 1.2.3, v1.2, 1.2.3-beta.1";

  /** Checks every part; {@code null} pre-release means none. */
  public SemVer {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException(
          "version components must not be negative, were " + major + "." + minor + "." + patch);
    }
    preRelease = preRelease == null ? "" : preRelease;
    if (!preRelease.isEmpty()) {
      String problem = identifiersProblem(preRelease, true);
      if (problem != null) {
        throw new IllegalArgumentException("pre-release \"" + preRelease + "\": " + problem);
      }
    }
  }

  /** A release version without pre-release. */
  public static SemVer of(int major, int minor, int patch) {
    return new SemVer(major, minor, patch, "");
  }

  /** Parses {@code text}, or throws {@link IllegalArgumentException} quoting it and saying what a version looks like. */
  public static SemVer parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("version is missing; " + SHAPE);
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("version " + quote(text) + " is " + text.length()
          + " characters long, more than " + MAX_LENGTH + "; " + SHAPE);
    }
    String s = text.startsWith("v") || text.startsWith("V") ? text.substring(1) : text;
    int plus = s.indexOf('+');
    if (plus >= 0) {
      String problem = identifiersProblem(s.substring(plus + 1), false);
      if (problem != null) {
        throw bad(text, "build metadata: " + problem);
      }
      s = s.substring(0, plus);
    }
    String pre = "";
    int dash = s.indexOf('-');
    if (dash >= 0) {
      pre = s.substring(dash + 1);
      s = s.substring(0, dash);
      String problem = identifiersProblem(pre, true);
      if (problem != null) {
        throw bad(text, "pre-release: " + problem);
      }
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length > 3) {
      throw bad(text, "more than three numbers");
    }
    if (parts.length < 3 && (dash >= 0 || plus >= 0)) {
      throw bad(text, "a pre-release or build needs all three of MAJOR.MINOR.PATCH");
    }
    int[] numbers = new int[3];
    for (int i = 0; i < parts.length; i++) {
      numbers[i] = component(text, parts[i]);
    }
    return new SemVer(numbers[0], numbers[1], numbers[2], pre);
  }

  /** {@link #parse} without the exception, for versions that are only informative. */
  public static Optional<SemVer> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** True when this version has a pre-release part. */
  public boolean isPreRelease() {
    return !preRelease.isEmpty();
  }

  /** The same major.minor.patch without pre-release. */
  public SemVer release() {
    return isPreRelease() ? of(major, minor, patch) : this;
  }

  /** semver.org 2.0.0 precedence (section 11). */
  @Override
  public int compareTo(SemVer o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Integer.compare(patch, o.patch);
    }
    if (c != 0) {
      return c;
    }
    if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
      // a release ranks above every pre-release of the same numbers
      return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
    }
    String[] a = preRelease.split("\\.");
    String[] b = o.preRelease.split("\\.");
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      c = compareIdentifier(a[i], b[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  /** {@code 1.2.3} or {@code 1.2.3-beta.1}. */
  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + preRelease);
  }

  private static int compareIdentifier(String x, String y) {
    boolean xn = numeric(x);
    boolean yn = numeric(y);
    if (xn && yn) {
      // no leading zeros, so the longer digit string is the larger number; no overflow on huge identifiers
      return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }
    if (xn != yn) {
      return xn ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    }
    return x.compareTo(y); // ASCII order, which is what "lexically" means for [0-9A-Za-z-]
  }

  private static int component(String text, String digits) {
    if (digits.isEmpty() || !numeric(digits)) {
      throw bad(text, digits.isEmpty() ? "an empty number" : "\"" + digits + "\" is not a number");
    }
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      throw bad(text, "\"" + digits + "\" has a leading zero");
    }
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw bad(text, "\"" + digits + "\" is larger than " + Integer.MAX_VALUE);
    }
  }

  /** Why dot-separated {@code ids} are malformed, or null when they are fine. */
  private static String identifiersProblem(String ids, boolean preRelease) {
    for (String id : ids.split("\\.", -1)) {
      if (id.isEmpty()) {
        return "an empty identifier";
      }
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-')) {
          return "\"" + id + "\" may hold only [0-9A-Za-z-]";
        }
      }
      if (preRelease && id.length() > 1 && id.charAt(0) == '0' && numeric(id)) {
        return "\"" + id + "\" has a leading zero";
      }
    }
    return null;
  }

  private static boolean numeric(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("not a version: " + quote(text) + " (" + why + "); " + SHAPE);
  }

  /** The input in quotes, shortened so a hostile string cannot flood a log line. */
  static String quote(String text) {
    return "\"" + (text.length() <= 64 ? text : text.substring(0, 64) + "...") + "\"";
  }
}
