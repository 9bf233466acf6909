package dev.aegis.scan;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.nio.CharBuffer;

/**
 * Finds a rule pattern's matches in a window of text with the same results as RE2/J's {@code find}, but cheaply:
 * the {@link Prefilter}'s DFA rules out windows with no match and tells where the leftmost match can start; the
 * {@link Backtracker} then finds the match from that position, each (instruction, position) at most once.
 *
 * <p>For a pattern the backtracker leaves alone (a repeat that can match nothing, a window too large for its visited
 * set), RE2/J matches <em>anchored</em> at that position instead, with only the alternatives that can start with its
 * character, and falls back to an unanchored search from there when the anchored attempt fails. Anchoring at
 * {@code start} while keeping the character before it as context (for {@code \b}) uses a second compiled form,
 * {@code (?s:.)(?:PATTERN)}, run from one character earlier.
 *
 * <pre>{@code
 * Finder f = Finder.of(Pattern.compile("\\bignore\\b"));
 * int[] m = f.find(text, null, 0, text.length(), 0);   // {start, end} or null
 * }</pre>
 */
final class Finder {
  private final Pattern pattern;
  private final Prefilter prefilter;
  private final Pattern afterOne;
  /** Finds the match itself once the prefilter has said where it may start; null: RE2/J does. */
  private final Backtracker backtracker;
  /** Whether {@link Prefilter#pruneFor} may be used (not for a pattern compiled to ignore case). */
  private final boolean prunable;
  /** Per ASCII first character, lazily: the pruned pattern, and its {@code afterOne} form ({@link #NEVER}: none). */
  private final Pattern[] plainFor;
  private final Pattern[] afterOneFor;
  private static final Pattern NEVER = Pattern.compile("[^\\x00-\\x{10FFFF}]");

  private Finder(Pattern pattern, Prefilter prefilter, Pattern afterOne) {
    this.pattern = pattern;
    this.prefilter = prefilter;
    this.afterOne = afterOne;
    this.backtracker = pattern.flags() == 0 ? Backtracker.of(prefilter) : null;
    this.prunable = prefilter != null && (pattern.flags() & Pattern.CASE_INSENSITIVE) == 0;
    this.plainFor = prunable ? new Pattern[128] : null;
    this.afterOneFor = prunable ? new Pattern[128] : null;
  }

  static Finder of(Pattern pattern) {
    Prefilter prefilter = Prefilter.compile(pattern.pattern());
    Pattern afterOne = null;
    if (prefilter != null) {
      afterOne = Pattern.compile("(?s:.)(?:" + pattern.pattern() + ")", pattern.flags());
    }
    return new Finder(pattern, prefilter, afterOne);
  }

  Pattern pattern() {
    return pattern;
  }

  /**
   * The first match in the window {@code text[ws, we)} (read as a text of its own) that starts at or after {@code p},
   * as {@code {start, end}} in text coordinates, or null: what {@code pattern.matcher(window).find(p - ws)} finds.
   * {@code chars}: the text's chars (the prefilter reads an array faster than a string), or null.
   */
  int[] find(String text, char[] chars, int ws, int we, int p) {
    if (prefilter == null) {
      return unanchored(text, ws, we, p);
    }
    // One character of real context before p, so that \b at p is judged right; matches starting at that character
    // only widen what the DFA accepts.
    int ctx = before(text, p, ws);
    if (chars != null ? !prefilter.mayMatch(chars, ctx, we) : !prefilter.mayMatch(text, ctx, we)) {
      return null;
    }
    int leftmost = chars != null ? prefilter.leftmostStart(chars, ctx, we) : prefilter.leftmostStart(text, ctx, we);
    if (leftmost < 0) {
      return null;
    }
    int from = Math.max(leftmost, p);
    if (backtracker != null) {
      int[] m = backtracker.find(text, ws, we, from);
      if (m != Backtracker.TOO_BIG) {
        return m;
      }
    }
    // No match starts before `from`. If one starts exactly there, it is the leftmost, and RE2/J's leftmost-first
    // choice among matches starting there is what the anchored match returns.
    // Only the alternatives that can start with the character at `from` (see Prefilter.pruneFor).
    char first = from < we ? text.charAt(from) : 0x80;
    Pattern anchored;
    int offset;
    if (from == ws) {
      anchored = first < 128 && prunable ? pruned(first, false) : pattern;
      offset = ws;
    } else {
      anchored = first < 128 && prunable ? pruned(first, true) : afterOne;
      offset = before(text, from, ws);
    }
    if (anchored == NEVER) {
      return unanchored(text, ws, we, from);
    }
    Matcher m = anchored.matcher(CharBuffer.wrap(text, offset, we));
    if (m.lookingAt()) {
      return new int[] {from, offset + m.end()};
    }
    return unanchored(text, ws, we, from);
  }

  /** The pattern (or its {@code afterOne} form) for matches starting with {@code c}; {@link #NEVER} if none can. */
  private Pattern pruned(char c, boolean withContext) {
    Pattern[] cache = withContext ? afterOneFor : plainFor;
    Pattern p = cache[c];
    if (p == null) {
      String source = prefilter.pruneFor(c);
      if (source == null) {
        p = NEVER;
      } else if (source.equals(pattern.pattern())) {
        p = withContext ? afterOne : pattern;
      } else {
        try {
          p = Pattern.compile(withContext ? "(?s:.)(?:" + source + ")" : source, pattern.flags());
        } catch (com.google.re2j.PatternSyntaxException e) {
          p = withContext ? afterOne : pattern; // never seen; the whole pattern is always right
        }
      }
      cache[c] = p;
    }
    return p;
  }

  /** True if the pattern occurs anywhere in {@code text[from, to)} (read as a text of its own). */
  boolean occursIn(String text, char[] chars, int from, int to) {
    if (prefilter != null) {
      boolean may = chars != null ? prefilter.mayMatch(chars, from, to) : prefilter.mayMatch(text, from, to);
      if (!may || prefilter.exact()) {
        return may;
      }
    }
    return pattern.matcher(CharBuffer.wrap(text, from, to)).find();
  }

  private int[] unanchored(String text, int ws, int we, int p) {
    Matcher m = pattern.matcher(CharBuffer.wrap(text, ws, we));
    return m.find(p - ws) ? new int[] {ws + m.start(), ws + m.end()} : null;
  }

  /** The position one code point before {@code p}, or {@code ws} when p is the window's start. */
  private static int before(String text, int p, int ws) {
    if (p <= ws) {
      return ws;
    }
    int at = p - 1;
    if (at > ws && Character.isLowSurrogate(text.charAt(at)) && Character.isHighSurrogate(text.charAt(at - 1))) {
      at--;
    }
    return at;
  }
}
