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
    int n0 = raw.length();
    int k = 0;
    while (k < n0 && raw.charAt(k) < 0x80) {
      k++;
    }
    if (k == n0) {
      return foldAscii(raw);
    }
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
    for (; i < n; i++) {
      char c = raw.charAt(i);
      if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) {
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
        out[len++] = (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
        space = false;
      }
    }
    return new String(out, 0, len, StandardCharsets.ISO_8859_1);
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
