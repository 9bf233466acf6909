package dev.aegis.scan;

import java.util.List;

/**
 * The rules that are code rather than patterns; their ids, severities and messages still come from the rule file
 * ({@code detector: NAME}). Each runs in one pass over the text.
 */
final class Detectors {
  private Detectors() {}

  /**
   * Detectors over the text as it arrived: hidden characters and words mixing scripts. All of them look for non-ASCII
   * characters, so the caller skips ASCII texts.
   */
  static void raw(TextEngine engine, String raw, CharSequence pointer, Surface surface, List<Finding> out) {
    int tags = 0;
    int tagAt = -1;
    int invisible = 0;
    int invisibleAt = -1;
    int bidi = 0;
    int bidiAt = -1;
    int prev = -1;
    for (int i = 0; i < raw.length(); ) {
      int cp = raw.codePointAt(i);
      int at = i;
      i += Character.charCount(cp);
      int next = i < raw.length() ? raw.codePointAt(i) : -1;
      if (cp >= 0xE0000 && cp <= 0xE007F) {
        if (tags++ == 0) {
          tagAt = at;
        }
      } else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
        if (bidi++ == 0) {
          bidiAt = at;
        }
      } else if (Fold.invisible(cp) && !benignJoiner(cp, prev, next, at)) {
        if (invisible++ == 0) {
          invisibleAt = at;
        }
      }
      prev = cp;
    }
    if (tags > 0) {
      String decoded = Views.tags(raw);
      report(engine, "unicode-tags", surface, pointer, decoded == null || decoded.isEmpty()
          ? TextEngine.excerpt(raw, tagAt, Math.min(raw.length(), tagAt + 40))
          : TextEngine.excerpt(decoded, 0, decoded.length()), tags + " tag characters", out);
    }
    if (bidi > 0) {
      report(engine, "bidi", surface, pointer, TextEngine.excerpt(raw, bidiAt, Math.min(raw.length(), bidiAt + 40)),
          bidi + " bidirectional control characters", out);
    }
    if (invisible > 0) {
      report(engine, "invisible", surface, pointer,
          TextEngine.excerpt(raw, Math.max(0, invisibleAt - 20), Math.min(raw.length(), invisibleAt + 40)),
          invisible + " invisible characters", out);
    }
    mixedScript(engine, raw, pointer, surface, out);
  }

  /**
   * Zero-width joiners inside emoji sequences and non-joiners in scripts that need them (Arabic, Persian, Indic), a
   * leading byte-order mark and emoji variation selectors are ordinary text.
   */
  private static boolean benignJoiner(int cp, int prev, int next, int at) {
    if (cp == 0xFEFF && at == 0) {
      return true;
    }
    if (cp == 0x200D || cp == 0xFE0F || cp == 0xFE0E) {
      return prev >= 0x2000 && (isEmoji(prev) || prev == 0x200D) || isEmoji(next);
    }
    if (cp == 0x200C || cp == 0x200D) {
      return prev > 0x0590 && Character.isLetter(prev) && next > 0x0590 && Character.isLetter(next);
    }
    if (cp == 0x200E || cp == 0x200F || cp == 0x061C) {
      return prev > 0x0590 || next > 0x0590;
    }
    return false;
  }

  private static boolean isEmoji(int cp) {
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x1F1E6 && cp <= 0x1F1FF);
  }

  /** A word mixing Latin letters with Cyrillic or Greek look-alikes: "pаypal" with a Cyrillic а. */
  private static void mixedScript(TextEngine engine, String raw, CharSequence pointer, Surface surface,
      List<Finding> out) {
    if (engine.detector("mixed-script", surface) == null || !anyLookAlike(raw)) {
      return;
    }
    int start = -1;
    boolean latin = false;
    boolean other = false;
    for (int i = 0; i <= raw.length(); ) {
      int cp = i < raw.length() ? raw.codePointAt(i) : ' ';
      boolean letter = Character.isLetter(cp);
      if (letter) {
        if (start < 0) {
          start = i;
          latin = false;
          other = false;
        }
        // An ASCII letter is Latin; only the rest needs the script table's binary search.
        if (cp < 0x80 || Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN) {
          latin = true;
        } else if (lookAlike(cp)) {
          other = true;
        }
      } else if (start >= 0) {
        if (latin && other) {
          report(engine, "mixed-script", surface, pointer, TextEngine.excerpt(raw, start, i),
              "word mixes Latin letters with look-alikes from another script", out);
          return;
        }
        start = -1;
      }
      if (i >= raw.length()) {
        break;
      }
      i += Character.charCount(cp);
    }
  }

  /**
   * Whether some letter of {@code raw} is a {@link #lookAlike}: without one no word can mix scripts, and the
   * per-letter script lookups are skipped. Reads each char once; a supplementary letter is judged at its high
   * surrogate (its low surrogate is no letter), so this never misses a letter the word loop would see.
   */
  private static boolean anyLookAlike(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) >= 0x80) {
        int cp = raw.codePointAt(i);
        if (Character.isLetter(cp) && lookAlike(cp)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A non-Latin letter that looks like an ASCII one: Cyrillic, Greek, Armenian or Cherokee, with an ASCII twin. */
  private static boolean lookAlike(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return (script == Character.UnicodeScript.CYRILLIC || script == Character.UnicodeScript.GREEK
        || script == Character.UnicodeScript.ARMENIAN || script == Character.UnicodeScript.CHEROKEE)
        && Confusables.toAscii(cp) >= 0;
  }

  /** A readable text hidden in an encoding (base64, hex, percent, entities, escapes, tags). */
  static void decoded(TextEngine engine, Views.View view, CharSequence pointer, Surface surface, List<Finding> out) {
    String label = view.label();
    if (label.equals("rot13") || label.equals("leetspeak") || label.equals("spaced-out letters")
        || label.equals("Unicode tag characters")) {
      return;
    }
    report(engine, "encoded", surface, pointer, TextEngine.excerpt(view.text(), 0, view.text().length()),
        "text hidden as " + label, out);
  }

  /** HTML comments ({@code <!-- -->}) and Markdown link-reference comments ({@code [//]: # (...)}). */
  static void comments(TextEngine engine, Views.View view, CharSequence pointer, Surface surface, List<Finding> out) {
    String text = view.text();
    int open = text.indexOf("<!--");
    int md = text.indexOf("[//]: #");
    if (open < 0 && md < 0) {
      return;
    }
    int at = open >= 0 ? open : md;
    int close = open >= 0 ? text.indexOf("-->", open + 4) : text.indexOf(')', md);
    int end = close < 0 ? text.length() : Math.min(text.length(), close + 3);
    report(engine, "html-comment", surface, pointer, TextEngine.excerpt(text, at, end),
        view.label() == null ? "comment hidden from people who read the rendered text"
            : "comment hidden as " + view.label(), out);
  }

  static void report(TextEngine engine, String detector, Surface surface, CharSequence pointer, String excerpt,
      String detail, List<Finding> out) {
    Rule rule = engine.detector(detector, surface);
    if (rule != null) {
      out.add(new Finding(rule.id(), rule.severityOn(surface), pointer.toString(), excerpt == null ? "" : excerpt,
          rule.message() + ": " + detail));
    }
  }
}
