package dev.aegis.scan;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The canonical form rules match against: NFKC (fullwidth and mathematical letters become ASCII), accents and
 * invisible characters removed, words written in look-alike letters (Cyrillic {@code о}, Greek {@code Α}) folded to
 * the ASCII they imitate, lower-cased, runs of spaces collapsed. Linear time.
 *
 * <pre>{@code Fold.fold("Ｉgnörе\u200B  all") // "ignore all" }</pre>
 */
final class Fold {
  private Fold() {}

  static String fold(String raw) {
    return fold(raw, asciiPrefix(raw));
  }

  /** {@link #fold} when the caller already knows {@code raw}'s first non-ASCII character is at {@code ascii}. */
  static String fold(String raw, int ascii) {
    if (ascii == raw.length()) {
      return foldAscii(raw);
    }
    String plain = foldPlain(raw, ascii);
    return plain != null ? plain : foldGeneral(raw);
  }

  /** The index of the first non-ASCII character of {@code s}, or its length when it has none. */
  static int asciiPrefix(String s) {
    int n = s.length();
    int k = 0;
    while (k < n && s.charAt(k) < 0x80) {
      k++;
    }
    return k;
  }

  /** {@link #fold} without the fast paths: NFKC, then word by word. */
  static String foldGeneral(String raw) {
    String s = Normalizer.normalize(capMarks(raw), Normalizer.Form.NFKC);
    StringBuilder out = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    boolean space = false;
    while (i < n) {
      int wordEnd = i;
      boolean nonAscii = false;
      while (wordEnd < n) {
        int cp = s.codePointAt(wordEnd);
        if (!isWordPart(cp)) {
          break;
        }
        nonAscii |= cp >= 0x80;
        wordEnd += Character.charCount(cp);
      }
      if (wordEnd > i) {
        appendWord(s, i, wordEnd, nonAscii, out);
        space = false;
        i = wordEnd;
        continue;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || cp == 0xA0) {
        if (cp == '\n') {
          if (space && out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
            out.setCharAt(out.length() - 1, '\n');
          } else if (out.length() == 0 || out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
          }
          space = true;
        } else if (!space) {
          out.append(' ');
          space = true;
        }
      } else if (!invisible(cp)) {
        out.appendCodePoint(Character.toLowerCase(cp));
        space = false;
      }
    }
    return out.toString();
  }

  /**
   * {@link #fold} for ASCII text, which NFKC, accents and look-alikes leave alone: lower case, whitespace runs
   * collapsed the same way. Returns {@code raw} itself when nothing changes (most short schema strings).
   */
  private static String foldAscii(String raw) {
    int n = raw.length();
    int i = 0;
    boolean space = false;
    while (i < n) {
      char c = raw.charAt(i);
      boolean ws = c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
      if ((c >= 'A' && c <= 'Z') || (ws && (space || c != ' '))) {
        break;
      }
      space = ws;
      i++;
    }
    if (i == n) {
      return raw;
    }
    byte[] out = new byte[n];
    for (int k = 0; k < i; k++) {
      out[k] = (byte) raw.charAt(k);
    }
    int len = i;
    byte[] lower = ASCII_LOWER;
    for (; i < n; i++) {
      char c = raw.charAt(i);
      byte f = lower[c];
      if (f >= 0) {
        out[len++] = f;
        space = false;
      } else {
        if (c == '\n') {
          if (space && len > 0 && out[len - 1] == ' ') {
            out[len - 1] = '\n';
          } else if (len == 0 || out[len - 1] != '\n') {
            out[len++] = '\n';
          }
          space = true;
        } else if (!space) {
          out[len++] = ' ';
          space = true;
        }
      }
    }
    return new String(out, 0, len, StandardCharsets.ISO_8859_1);
  }

  /** Per ASCII character: itself lower-cased, or -1 for the whitespace {@link #foldAscii} collapses. */
  private static final byte[] ASCII_LOWER = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      boolean ws = c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
      ASCII_LOWER[c] = ws ? -1 : (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
  }

  /** Kinds of non-ASCII characters {@link #foldPlain} handles; anything else ({@code OTHER}) takes the general path. */
  private static final byte OTHER = 0;
  /** Punctuation or a symbol that NFKC, case and look-alike folding leave alone (—, →, •, ≤): kept as it is. */
  private static final byte KEEP = 1;
  /** An invisible format character NFKC leaves alone (zero-width space, joiners, word joiner, BOM): dropped. */
  private static final byte DROP = 2;
  /** A space NFKC makes a plain space or leaves a space (no-break, en, em, thin spaces; line separator). */
  private static final byte SPACE = 3;
  /**
   * Characters below this are classified in {@link Plain#KINDS}, those of Latin-1 and from U+2000 on (general
   * punctuation, symbols, arrows, shapes, CJK punctuation); the rest are {@code OTHER}.
   */
  private static final int PLAIN_LIMIT = 0x3040;
  private static final int PLAIN_GAP_FROM = 0x100;
  private static final int PLAIN_GAP_TO = 0x2000;

  /** The table of {@link #plainKind}, built when the first non-ASCII text is folded (~10 ms, mostly NFKC calls). */
  private static final class Plain {
    static final byte[] KINDS = plainKinds();
  }

  /**
   * How {@link #foldGeneral} treats {@code c} when it stands among ASCII text and other such characters. Only
   * characters that are no letter, digit or mark qualify, and only when NFKC maps them to themselves (or, for
   * spaces, to a space): such characters are starters that compose with nothing, so NFKC of the whole text leaves
   * it as it is, and the word-by-word loop treats each one alone. {@code FoldTest} checks this against the
   * general path for every character of the table.
   */
  static byte plainKind(char c) {
    return plainKind(c, false);
  }

  /** {@link #plainKind(char)}; {@code inert}: NFKC is already known to map {@code c} to itself. */
  private static byte plainKind(char c, boolean inert) {
    if (c < 0x80 || c >= PLAIN_LIMIT || (c >= PLAIN_GAP_FROM && c < PLAIN_GAP_TO) || Character.isSurrogate(c)) {
      return OTHER;
    }
    int type = Character.getType(c);
    boolean symbol = switch (type) {
      case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
      default -> false;
    };
    boolean space = type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
    if (!symbol && !space && type != Character.FORMAT) {
      return OTHER;
    }
    String n = inert ? String.valueOf(c) : Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC);
    if (space) {
      return n.length() == 1 && n.charAt(0) != '\n' && (Character.isWhitespace(n.charAt(0)) || n.charAt(0) == 0xA0)
          ? SPACE : OTHER;
    }
    if (n.length() != 1 || n.charAt(0) != c) {
      return OTHER;
    }
    if (type == Character.FORMAT) {
      return invisible(c) ? DROP : OTHER;
    }
    return !invisible(c) && !Character.isWhitespace(c) && Character.toLowerCase(c) == c ? KEEP : OTHER;
  }

  /**
   * The table of {@link #plainKind}, built with few NFKC calls (they dominate class loading): a range of characters,
   * each after a U+0001 (which composes with nothing), is normalised at once; when NFKC leaves it as it is, it
   * leaves each of its characters as it is, else the range is split in two.
   */
  private static byte[] plainKinds() {
    byte[] kinds = new byte[PLAIN_LIMIT];
    classify(kinds, 0x80, PLAIN_GAP_FROM);
    for (int base = PLAIN_GAP_TO; base < PLAIN_LIMIT; base += 256) {
      classify(kinds, base, Math.min(PLAIN_LIMIT, base + 256));
    }
    return kinds;
  }

  private static void classify(byte[] kinds, int from, int to) {
    StringBuilder range = new StringBuilder(2 * (to - from));
    for (int c = from; c < to; c++) {
      range.append('\u0001').append(Character.isSurrogate((char) c) ? 'x' : (char) c);
    }
    if (to - from == 1 || Normalizer.isNormalized(range, Normalizer.Form.NFKC)) {
      boolean inert = to - from > 1;
      for (int c = from; c < to; c++) {
        kinds[c] = plainKind((char) c, inert);
      }
      return;
    }
    int mid = (from + to) >>> 1;
    classify(kinds, from, mid);
    classify(kinds, mid, to);
  }

  /**
   * {@link #fold} of a text that is ASCII but for {@link #plainKind plain} punctuation, symbols, spaces and invisible
   * characters (an em dash, an arrow, a no-break space, a zero-width space), in one pass and without NFKC; null when
   * some other character occurs. {@code from}: the first non-ASCII character. Same results as
   * {@link #foldGeneral}: ASCII letters lower-cased, invisible characters dropped (they join words, so a space
   * after one is not collapsed into a space before it), spaces collapsed, newlines kept.
   */
  static String foldPlain(String raw, int from) {
    int n = raw.length();
    byte[] kinds = Plain.KINDS;
    for (int i = from; i < n; i++) {
      char c = raw.charAt(i);
      if (c >= 0x80 && (c >= PLAIN_LIMIT || kinds[c] == OTHER)) {
        return null;
      }
    }
    char[] out = new char[n];
    int len = 0;
    boolean space = false;
    for (int i = 0; i < n; i++) {
      char c = raw.charAt(i);
      int kind = c < 0x80 ? (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) ? SPACE : KEEP)
          : kinds[c];
      if (kind == SPACE) {
        if (c == '\n') {
          if (space && len > 0 && out[len - 1] == ' ') {
            out[len - 1] = '\n';
          } else if (len == 0 || out[len - 1] != '\n') {
            out[len++] = '\n';
          }
          space = true;
        } else if (!space) {
          out[len++] = ' ';
          space = true;
        }
      } else {
        if (kind == KEEP) {
          out[len++] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        space = false;
      }
    }
    return new String(out, 0, len);
  }

  private static final int MAX_MARK_RUN = 16;

  /**
   * Drops combining marks beyond the first {@value #MAX_MARK_RUN} in a row: the JDK's normaliser is quadratic in the
   * length of such a run, and no real text stacks more than a handful.
   */
  static String capMarks(String s) {
    int run = 0;
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int len = Character.charCount(cp);
      run = cp >= 0x300 && isMark(cp) ? run + 1 : 0;
      if (run > MAX_MARK_RUN && sb == null) {
        sb = new StringBuilder(s.length());
        sb.append(s, 0, i);
      }
      if (sb != null && run <= MAX_MARK_RUN) {
        sb.append(s, i, i + len);
      }
      i += len;
    }
    return sb == null ? s : sb.toString();
  }

  private static boolean isMark(int cp) {
    int t = Character.getType(cp);
    return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.COMBINING_SPACING_MARK;
  }

  /** Letters, digits, marks and invisible characters glued inside a word. */
  private static boolean isWordPart(int cp) {
    if (cp < 0x80) {
      return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
    return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.NON_SPACING_MARK
        || Character.getType(cp) == Character.COMBINING_SPACING_MARK || invisible(cp);
  }

  private static void appendWord(String s, int from, int to, boolean nonAscii, StringBuilder out) {
    if (!nonAscii) {
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        out.append(c <= 'Z' && c >= 'A' ? (char) (c + 32) : c);
      }
      return;
    }
    boolean foldable = true;
    for (int i = from; i < to; ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0x80 && !droppable(cp) && latinBase(cp) < 0 && Confusables.toAscii(cp) < 0) {
        foldable = false;
        break;
      }
    }
    for (int i = from; i < to; ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (droppable(cp)) {
        continue;
      }
      if (cp >= 0x80 && latinBase(cp) >= 0) {
        cp = latinBase(cp);
      } else if (cp >= 0x80 && foldable) {
        cp = Confusables.toAscii(cp);
      }
      out.appendCodePoint(Character.toLowerCase(cp));
    }
  }

  private static final char[] LATIN_BASE = latinBases();

  /** The ASCII letter under an accented Latin letter ({@code é} → {@code e}), or -1. */
  static int latinBase(int cp) {
    if (cp < 0xC0 || cp > 0x24F) {
      return -1;
    }
    char c = LATIN_BASE[cp - 0xC0];
    return c == 0 ? -1 : c;
  }

  private static char[] latinBases() {
    char[] table = new char[0x250 - 0xC0];
    for (int cp = 0xC0; cp < 0x250; cp++) {
      String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD);
      char base = d.charAt(0);
      if (d.length() > 1 && base < 0x80 && Character.isLetter(base)) {
        table[cp - 0xC0] = base;
      }
    }
    return table;
  }

  private static boolean droppable(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || invisible(cp);
  }

  /** Format characters (zero-width, bidi controls, tags, soft hyphen) and the blank fillers that render as nothing. */
  static boolean invisible(int cp) {
    return cp >= 0x80 && (Character.getType(cp) == Character.FORMAT || cp == 0x034F || cp == 0x115F || cp == 0x1160
        || cp == 0x3164 || cp == 0xFFA0 || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF));
  }
}
