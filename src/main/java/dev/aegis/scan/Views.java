package dev.aegis.scan;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Every way one text can be read: the folded text itself plus what hides inside it, each folded again. Decoders:
 * Unicode tag characters, percent-encoding, HTML entities, {@code \x41}/{@code \u0041} escapes, base64 and hex runs
 * that decode to readable text, rot13 (when rot13'd English is visible), leetspeak, and s p a c e d letters. Decoded
 * texts are decoded again up to {@link #MAX_DEPTH}; total decoded size is bounded by the input size plus
 * {@link #MAX_EXTRA}, so a crafted text cannot make scanning superlinear.
 *
 * <pre>{@code
 * for (View v : Views.of("SWdub3JlIGFsbCBwcmV2aW91cw==")) { ... }   // the folded text, then a "base64" view
 * }</pre>
 */
final class Views {
  static final int MAX_DEPTH = 3;
  static final int MAX_EXTRA = 256 * 1024;
  private static final int MAX_BLOBS = 32;

  /**
   * One reading of a text: {@code label} is null for the text itself, else how it was decoded; a {@code squashed}
   * view has only letters and digits left, for text written without spaces.
   */
  record View(String label, String text, int depth, boolean squashed) {
    View(String label, String text, int depth) {
      this(label, text, depth, false);
    }
  }

  /** A decoder tried once its marker character appears {@code least} times; null from it means nothing decoded. */
  private record Decoder(String label, char marker, int least, java.util.function.UnaryOperator<String> decode) {}

  private static final Decoder[] DECODERS = {
      new Decoder("percent-encoded", '%', 3, Views::percent),
      new Decoder("HTML entities", '&', 2, Views::entities),
      new Decoder("escape sequences", '\\', 4, Views::escapes)};

  private Views() {}

  static List<View> of(String raw) {
    return of(raw, Fold.asciiPrefix(raw));
  }

  /** {@link #of(String)} when the caller knows where {@code raw}'s first non-ASCII character is ({@code ascii}). */
  static List<View> of(String raw, int ascii) {
    List<View> out = new ArrayList<>(2);
    int[] budget = {MAX_EXTRA};
    add(out, null, raw, ascii, 0, budget);
    return out;
  }

  private static void add(List<View> out, String label, String raw, int depth, int[] budget) {
    add(out, label, raw, Fold.asciiPrefix(raw), depth, budget);
  }

  private static void add(List<View> out, String label, String raw, int ascii, int depth, int[] budget) {
    String folded = Fold.fold(raw, ascii);
    out.add(new View(label, folded, depth));
    if (depth >= MAX_DEPTH) {
      return;
    }
    Marks marks;
    Shape shape;
    if (ascii == raw.length()) {
      marks = new Marks();
      shape = Shape.ofAscii(folded, marks);
    } else {
      marks = Marks.of(raw);
      shape = Shape.of(folded);
    }
    if (marks.tags) {
      String tags = tags(raw);
      if (tags != null) {
        derived(out, "Unicode tag characters", tags, depth, budget);
      }
    }
    for (Decoder d : DECODERS) {
      String decoded = marks.count(d.marker()) >= d.least() ? d.decode().apply(raw) : null;
      if (decoded != null) {
        derived(out, d.label(), decoded, depth, budget);
      }
    }
    if (marks.longRun) {
      blobs(out, raw, depth, budget);
    }
    if (shape.rot13(folded)) {
      derived(out, "rot13", rot13(folded), depth, budget);
    }
    if (shape.leet()) {
      String passages = leetPassages(folded);
      String[] seen = new String[LEET_ONES.length];
      for (int k = 0; k < LEET_ONES.length; k++) {
        seen[k] = leet(passages, LEET_ONES[k]);
        if (k > 0 && (seen[k].equals(seen[0]) || seen[k].equals(seen[k - 1]))) {
          spend(seen[k], budget);
        } else {
          derived(out, "leetspeak", seen[k], MAX_DEPTH - 1, budget);
        }
      }
    }
    String spaced = marks.spacedOut() ? despace(raw) : null;
    if (spaced != null) {
      derived(out, "spaced-out letters", spaced, depth, budget);
    }
    if (depth <= 1 && shape.runTogether()) {
      squash(out, folded, shape.singleChars(), budget);
      if (shape.leetDigits >= 6) {
        for (char one : LEET_ONES) {
          String leet = leet(folded, one);
          squash(out, leet, Shape.of(leet).singleChars(), budget);
        }
      }
    }
  }

  /**
   * {@link Marks#of} and {@link Shape#of} as one description, for {@code ViewsTest}: {@code onePass} asks for the
   * fused pass ({@link Shape#ofAscii}, ASCII text only).
   */
  static String describe(String raw, boolean onePass) {
    String folded = Fold.fold(raw);
    Marks m;
    Shape sh;
    if (onePass) {
      m = new Marks();
      sh = Shape.ofAscii(folded, m);
    } else {
      m = Marks.of(raw);
      sh = Shape.of(folded);
    }
    return String.join(" ", "percent=" + m.percent, "amp=" + m.amp, "backslash=" + m.backslash, "tags=" + m.tags,
        "longRun=" + m.longRun, "singles=" + m.singles, "words=" + m.words, "rot=" + sh.rot,
        "mixedLeet=" + sh.mixedLeet, "shapeLongRun=" + sh.longRun, "shapeSingles=" + sh.singles,
        "tokens=" + sh.tokens, "byLength=" + java.util.Arrays.toString(sh.byLength), "leetDigits=" + sh.leetDigits);
  }

  /** What one pass over the raw text finds: which decoders could apply. */
  private static final class Marks {
    int percent;
    int amp;
    int backslash;
    boolean tags;
    /** A run of 20+ base64 characters: a blob may hide there. */
    boolean longRun;
    int singles;
    int words;

    private static final byte B64 = 1;
    private static final byte SPACE = 2;
    private static final byte MARKER = 4;
    private static final byte[] KIND = new byte[128];

    static {
      for (char c = 0; c < 128; c++) {
        KIND[c] = (byte) ((b64(c) ? B64 : 0) | (Character.isWhitespace(c) ? SPACE : 0)
            | (c == '%' || c == '&' || c == '\\' ? MARKER : 0));
      }
    }

    static Marks of(String raw) {
      Marks m = new Marks();
      int run = 0;
      int word = 0;
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        int kind;
        if (c < 128) {
          kind = KIND[c];
        } else {
          m.tags |= c == '\uDB40';
          kind = Character.isWhitespace(c) ? SPACE : 0;
        }
        if ((kind & B64) != 0) {
          if (++run >= 20) {
            m.longRun = true;
          }
        } else {
          run = 0;
        }
        if ((kind & SPACE) != 0) {
          m.close(word);
          word = 0;
        } else {
          word++;
        }
        if ((kind & MARKER) != 0) {
          switch (c) {
            case '%' -> m.percent++;
            case '&' -> m.amp++;
            default -> m.backslash++;
          }
        }
      }
      m.close(word);
      return m;
    }

    private void close(int word) {
      if (word > 0) {
        words++;
        singles += word == 1 ? 1 : 0;
      }
    }

    int count(char marker) {
      return switch (marker) {
        case '%' -> percent;
        case '&' -> amp;
        case '\\' -> backslash;
        default -> 0;
      };
    }

    /** Mostly single characters between spaces: see {@link #despace}. */
    boolean spacedOut() {
      return singles >= 8 && singles * 10 >= words * 7;
    }
  }

  /** What one pass over the folded text finds: rot13 and leetspeak signs, glued or chunked words. */
  private static final class Shape {
    /** Rot13 words (plain English ones are counted only when there are some). */
    int rot;
    int mixedLeet;
    boolean longRun;
    int singles;
    int tokens;
    final int[] byLength = new int[6];
    int leetDigits;

    private static final byte LOWER = 1;
    private static final byte DIGIT = 2;
    /** 0 1 3 4 5 7 @ $: what leetspeak writes for letters. */
    private static final byte LEET = 4;
    private static final byte SIGN = 8;
    private static final byte NON_HEX = 16;
    private static final byte[] KIND = new byte[128];

    static {
      for (char c = 'a'; c <= 'z'; c++) {
        KIND[c] = (byte) (LOWER | (c > 'f' ? NON_HEX : 0));
      }
      for (char c = '0'; c <= '9'; c++) {
        KIND[c] = DIGIT;
      }
      for (char c : "013457".toCharArray()) {
        KIND[c] |= LEET;
      }
      KIND['@'] = LEET | SIGN;
      KIND['$'] = LEET | SIGN;
    }

    /**
     * {@link #of} and {@link Marks#of} in one pass, for a text that arrived as ASCII: {@code folded} is then ASCII
     * too and has the same marks as the raw text, since folding ASCII only lower-cases letters and shortens runs of
     * whitespace to one space or newline: it keeps every %, & and \\, every run of base64 characters (no
     * whitespace is one) and every whitespace-separated word as they were. {@code marks}: filled in.
     */
    static Shape ofAscii(String folded, Marks marks) {
      Shape sh = new Shape();
      int n = folded.length();
      // Where the current run of base64 characters, of non-whitespace and of [a-z0-9@$] began (-1: none).
      int b64From = -1;
      int wordFrom = -1;
      int tokenFrom = -1;
      int all = 0;
      int hash = 0;
      byte[] kinds = KIND;
      int i = 0;
      while (i < n) {
        char c = folded.charAt(i);
        if (c >= 'a' && c <= 'z') {
          // Most characters: a run of letters continues all three runs, so only the token's kinds and hash change.
          if (b64From < 0) {
            b64From = i;
          }
          if (wordFrom < 0) {
            wordFrom = i;
          }
          if (tokenFrom < 0) {
            tokenFrom = i;
            all = 0;
            hash = 0;
          }
          do {
            all |= kinds[c];
            hash = 31 * hash + c;
            if (++i == n) {
              break;
            }
            c = folded.charAt(i);
          } while (c >= 'a' && c <= 'z');
          continue;
        }
        int kind = Marks.KIND[c];
        if ((kind & Marks.B64) != 0) {
          if (b64From < 0) {
            b64From = i;
          }
        } else if (b64From >= 0) {
          marks.longRun |= i - b64From >= 20;
          b64From = -1;
        }
        if ((kind & Marks.SPACE) != 0) {
          if (wordFrom >= 0) {
            marks.close(i - wordFrom);
            wordFrom = -1;
          }
        } else if (wordFrom < 0) {
          wordFrom = i;
        }
        if ((kind & Marks.MARKER) != 0) {
          switch (c) {
            case '%' -> marks.percent++;
            case '&' -> marks.amp++;
            default -> marks.backslash++;
          }
        }
        int k = kinds[c];
        if (k != 0) {
          if (tokenFrom < 0) {
            tokenFrom = i;
            all = 0;
            hash = 0;
          }
          all |= k;
          hash = 31 * hash + c;
        } else if (tokenFrom >= 0) {
          sh.word(folded, tokenFrom, i, all, hash);
          tokenFrom = -1;
        }
        i++;
      }
      if (b64From >= 0) {
        marks.longRun |= n - b64From >= 20;
      }
      if (wordFrom >= 0) {
        marks.close(n - wordFrom);
      }
      if (tokenFrom >= 0) {
        sh.word(folded, tokenFrom, n, all, hash);
      }
      return sh;
    }

    /** A maximal run of {@code [a-z0-9@$]}: {@code all} ORs its kinds, {@code hash} is its {@link String#hashCode}. */
    private void word(String folded, int start, int end, int all, int hash) {
      if (all == LOWER || all == (LOWER | NON_HEX)) {
        letters(folded, start, end, hash);
        alnum(end - start, (all & NON_HEX) != 0);
      } else {
        mixed(folded, start, end, all);
      }
    }

    /**
     * One pass over the words of {@code [a-z0-9@$]}; a word of letters only (most of them) is one run for every
     * count, the rest are split into their runs of letters and digits.
     */
    static Shape of(String folded) {
      Shape sh = new Shape();
      int n = folded.length();
      int i = 0;
      while (i < n) {
        char c = folded.charAt(i);
        int k = c < 128 ? KIND[c] : 0;
        if (k == 0) {
          i++;
          continue;
        }
        int start = i;
        int all = 0;
        int hash = 0;
        do {
          all |= k;
          hash = 31 * hash + c;
          if (++i == n) {
            break;
          }
          c = folded.charAt(i);
          k = c < 128 ? KIND[c] : 0;
        } while (k != 0);
        if (all == LOWER || all == (LOWER | NON_HEX)) {
          sh.letters(folded, start, i, hash);
          sh.alnum(i - start, (all & NON_HEX) != 0);
        } else {
          sh.mixed(folded, start, i, all);
        }
      }
      return sh;
    }

    /** The kinds of an ASCII character ({@code [a-z0-9@$]} have some), 0 for any other. */
    static int kind(char c) {
      return c < 128 ? KIND[c] : 0;
    }

    /** A word of these kinds and length mixes letters with leetspeak's digits. */
    static boolean mixedLeet(int all, int length) {
      return (all & LOWER) != 0 && (all & LEET) != 0 && length >= 3;
    }

    /** A word with digits, @ or $: its leetspeak counts, then its runs of letters and digits. */
    private void mixed(String folded, int from, int to, int all) {
      if (mixedLeet(all, to - from)) {
        mixedLeet++;
      }
      int run = -1;
      boolean nonHex = false;
      int letterRun = -1;
      int hash = 0;
      for (int i = from; i <= to; i++) {
        int k = i < to ? KIND[folded.charAt(i)] : 0;
        if ((k & LEET) != 0 && (k & SIGN) == 0) {
          leetDigits++;
        }
        if ((k & (LOWER | DIGIT)) != 0) {
          if (run < 0) {
            run = i;
            nonHex = false;
          }
          nonHex |= (k & NON_HEX) != 0;
        } else if (run >= 0) {
          alnum(i - run, nonHex);
          run = -1;
        }
        if ((k & LOWER) != 0) {
          if (letterRun < 0) {
            letterRun = i;
            hash = 0;
          }
          hash = 31 * hash + folded.charAt(i);
        } else if (letterRun >= 0) {
          letters(folded, letterRun, i, hash);
          letterRun = -1;
        }
      }
    }

    /** A run of letters and digits: a token for the single-character and chunk counts. */
    private void alnum(int length, boolean nonHex) {
      tokens++;
      if (length == 1) {
        singles++;
      }
      if (length <= 5) {
        byLength[length]++;
      }
      if (length >= 24 && nonHex) {
        longRun = true;
      }
    }

    /** A run of letters: a rot13 word? */
    private void letters(String folded, int from, int to, int hash) {
      int len = to - from;
      if (len > 1 && len <= 6 && ROT13_START[(folded.charAt(from) - 'a') * 26 + folded.charAt(from + 1) - 'a']) {
        int id = COMMON.get(folded, from, to, hash);
        if (id >= 0 && id < ROT13_WORDS) {
          rot++;
        }
      }
    }

    /** Rot13 words outnumber plain English ones ({@code folded}: the text this shape is of). */
    boolean rot13(String folded) {
      if (rot == 0) {
        return false;
      }
      int plain = 0;
      int letters = 0;
      int wordHash = 0;
      for (int i = 0; i <= folded.length(); i++) {
        char c = i < folded.length() ? folded.charAt(i) : ' ';
        if (c >= 'a' && c <= 'z') {
          letters++;
          wordHash = 31 * wordHash + c;
          continue;
        }
        if (letters > 0 && letters <= 6 && COMMON.get(folded, i - letters, i, wordHash) >= ROT13_WORDS) {
          plain++;
        }
        letters = 0;
        wordHash = 0;
      }
      return (rot >= 2 && rot > plain) || (rot == 1 && plain == 0);
    }

    /** Several words mix letters with the digits leetspeak uses for letters. */
    boolean leet() {
      return mixedLeet >= 3;
    }

    /** Mostly single characters ("i.g.n.o.r.e"), or text cut into equal short chunks ("1gn0 r341 1pr3 v10u"). */
    boolean singleChars() {
      if ((singles >= 12 && singles * 10 >= tokens * 7)) {
        return true;
      }
      if (tokens < 10) {
        return false;
      }
      for (int len = 2; len <= 5; len++) {
        if (byLength[len] * 10 >= tokens * 8) {
          return true;
        }
      }
      return false;
    }

    /** A run of 24+ letters and digits (not just hex), or mostly single characters: words glued together. */
    boolean runTogether() {
      return longRun || singleChars();
    }
  }

  /**
   * The glued parts only: runs of 24+ letters and digits, or, for text of single characters between punctuation
   * ("i.g.n.o.r.e"), all of it without the punctuation.
   */
  private static void squash(List<View> out, String folded, boolean singles, int[] budget) {
    StringBuilder sb = new StringBuilder();
    int start = -1;
    for (int i = 0; i <= folded.length(); i++) {
      char c = i < folded.length() ? folded.charAt(i) : ' ';
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (singles) {
        if (alnum) {
          sb.append(c);
        }
        continue;
      }
      if (alnum && start < 0) {
        start = i;
      } else if (!alnum && start >= 0) {
        if (i - start >= 24 && !hexOnly(folded, start, i)) {
          sb.append(folded, start, i).append(' ');
        }
        start = -1;
      }
    }
    if (sb.length() <= budget[0]) {
      budget[0] -= sb.length();
      out.add(new View("run-together letters", sb.toString(), MAX_DEPTH, true));
    }
  }

  private static boolean hexOnly(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (hex(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }





  private static void derived(List<View> out, String label, String text, int depth, int[] budget) {
    if (spend(text, budget)) {
      add(out, label, text, depth + 1, budget);
    }
  }

  /**
   * Takes {@code text}'s length from the budget if it fits. A leetspeak reading equal to one already added is only
   * spent, not added again: its view would find exactly what the first one found (same label, same text, and at
   * {@link #MAX_DEPTH} it derives nothing), and the budget left for later views stays as it was.
   */
  private static boolean spend(String text, int[] budget) {
    if (text.length() > budget[0]) {
      return false;
    }
    budget[0] -= text.length();
    return true;
  }


  /** The ASCII spelled by Unicode tag characters (U+E0020..U+E007E), or null if there are none. */
  static String tags(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0xE0020 && cp <= 0xE007E) {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append((char) (cp - 0xE0000));
      } else if (sb != null && sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
        sb.append(' ');
      }
    }
    return sb == null ? null : sb.toString().trim();
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  static String percent(String s) {
    byte[] buf = new byte[s.length() * 3];
    int n = 0;
    int decoded = 0;
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        buf[n++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        decoded++;
        i += 3;
      } else if (c == '+') {
        buf[n++] = ' ';
        i++;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
        i++;
      }
    }
    return decoded >= 3 ? new String(buf, 0, n, StandardCharsets.UTF_8) : null;
  }

  static String entities(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int decoded = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int semi = -1;
      if (c == '&') {
        for (int j = i + 1; j < Math.min(s.length(), i + 12); j++) {
          if (s.charAt(j) == ';') {
            semi = j;
            break;
          }
        }
      }
      if (semi > i + 1 && semi - i <= 10) {
        String name = s.substring(i + 1, semi);
        int cp = entity(name);
        if (cp >= 0) {
          sb.appendCodePoint(cp);
          decoded++;
          i = semi;
          continue;
        }
      }
      sb.append(c);
    }
    return decoded >= 2 ? sb.toString() : null;
  }

  private static int entity(String name) {
    try {
      if (name.startsWith("#x") || name.startsWith("#X")) {
        int cp = Integer.parseInt(name.substring(2), 16);
        return Character.isValidCodePoint(cp) ? cp : -1;
      }
      if (name.startsWith("#")) {
        int cp = Integer.parseInt(name.substring(1));
        return Character.isValidCodePoint(cp) ? cp : -1;
      }
    } catch (NumberFormatException e) {
      return -1;
    }
    return switch (name) {
      case "lt" -> '<';
      case "gt" -> '>';
      case "amp" -> '&';
      case "quot" -> '"';
      case "apos" -> '\'';
      case "nbsp" -> ' ';
      case "sol" -> '/';
      case "colon" -> ':';
      case "excl" -> '!';
      case "lpar" -> '(';
      case "rpar" -> ')';
      default -> -1;
    };
  }

  static String escapes(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int decoded = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
          && hex(s.charAt(i + 2)) >= 0 && hex(s.charAt(i + 3)) >= 0) {
        sb.append((char) (hex(s.charAt(i + 2)) * 16 + hex(s.charAt(i + 3))));
        i += 3;
        decoded++;
      } else if (c == '\\' && i + 5 < s.length() && s.charAt(i + 1) == 'u' && hex(s.charAt(i + 2)) >= 0
          && hex(s.charAt(i + 3)) >= 0 && hex(s.charAt(i + 4)) >= 0 && hex(s.charAt(i + 5)) >= 0) {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
        decoded++;
      } else {
        sb.append(c);
      }
    }
    return decoded >= 4 ? sb.toString() : null;
  }

  private static boolean b64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
        || c == '-' || c == '_' || c == '=';
  }

  /** Base64 runs of 20+ characters and hex runs of 24+ digits that decode to readable text. */
  private static void blobs(List<View> out, String s, int depth, int[] budget) {
    int found = 0;
    int i = 0;
    while (i < s.length() && found < MAX_BLOBS) {
      if (!b64(s.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      boolean allHex = true;
      boolean lower = false;
      boolean upper = false;
      boolean digit = false;
      while (i < s.length() && b64(s.charAt(i))) {
        char c = s.charAt(i);
        allHex &= hex(c) >= 0;
        lower |= c >= 'a' && c <= 'z';
        upper |= c >= 'A' && c <= 'Z';
        digit |= c >= '0' && c <= '9';
        i++;
      }
      int len = i - start;
      String text = null;
      String label = null;
      if (allHex && len >= 24 && len % 2 == 0) {
        text = readable(hexBytes(s, start, i));
        label = "hex";
      } else if (len >= 20 && lower && upper && (digit || len >= 28)) {
        text = readable(base64(s, start, i));
        label = "base64";
      }
      if (text != null) {
        found++;
        derived(out, label, text, depth, budget);
      }
    }
  }

  private static byte[] hexBytes(String s, int from, int to) {
    byte[] b = new byte[(to - from) / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (hex(s.charAt(from + 2 * i)) * 16 + hex(s.charAt(from + 2 * i + 1)));
    }
    return b;
  }

  private static byte[] base64(String s, int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '-') {
        c = '+';
      } else if (c == '_') {
        c = '/';
      } else if (c == '=') {
        continue;
      }
      sb.append(c);
    }
    int usable = sb.length() - sb.length() % 4;
    if (sb.length() % 4 == 2 || sb.length() % 4 == 3) {
      usable = sb.length();
      while (sb.length() % 4 != 0) {
        sb.append('=');
      }
    }
    try {
      return java.util.Base64.getDecoder().decode(sb.substring(0, usable == sb.length() ? sb.length() : usable));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The bytes as UTF-8 text if that is mostly printable and contains words; else null. */
  static String readable(byte[] bytes) {
    if (bytes == null || bytes.length < 8) {
      return null;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    int printable = 0;
    int letters = 0;
    int spaces = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ') {
        spaces++;
      }
      if (Character.isLetter(c)) {
        letters++;
      }
      if (c >= 0x20 && c != 0x7F || c == '\n' || c == '\t' || c == '\r') {
        printable++;
      }
    }
    boolean ok = printable >= text.length() * 0.95 && letters >= text.length() * 0.5 && spaces > 0;
    return ok ? text : null;
  }

  /** Common English words in rot13 (ids below ROT13_WORDS), then the same words in plain English. */
  private static final List<String> COMMON_WORDS = List.of("gur", "naq", "bs", "gb", "vf", "lbh", "nyy", "guvf",
      "vtaber", "lbhe", "jvgu", "sbe", "ba", "ng", "vg", "gura", "ner", "jvyy", "sebz", "unir", "abg", "gung",
      "the", "and", "of", "to", "is", "you", "all", "this", "your", "with", "for", "on", "at", "it", "a", "in",
      "then", "are", "will", "from", "have", "not", "that");
  private static final int ROT13_WORDS = 22;
  private static final TextEngine.WordTable COMMON = new TextEngine.WordTable(COMMON_WORDS);
  /** The first two letters of each rot13 word, as (first - 'a') * 26 + (second - 'a'). */
  private static final boolean[] ROT13_START = new boolean[26 * 26];

  static {
    for (String w : COMMON_WORDS.subList(0, ROT13_WORDS)) {
      ROT13_START[(w.charAt(0) - 'a') * 26 + w.charAt(1) - 'a'] = true;
    }
  }

  /** True when rot13 words outnumber plain English ones (cheap test on tokens). */
  static boolean looksRot13(String folded) {
    return Shape.of(folded).rot13(folded);
  }

  /** True when glued words or single-character text need a squashed view. */
  static boolean runTogether(String folded) {
    return Shape.of(folded).runTogether();
  }

  static String rot13(String s) {
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) {
      char x = c[i];
      if (x >= 'a' && x <= 'z') {
        c[i] = (char) ('a' + (x - 'a' + 13) % 26);
      } else if (x >= 'A' && x <= 'Z') {
        c[i] = (char) ('A' + (x - 'A' + 13) % 26);
      }
    }
    return new String(c);
  }

  /** True when several words mix letters with the digits leetspeak uses for letters. */
  static boolean looksLeet(String folded) {
    return Shape.of(folded).leet();
  }

  /** How far a leetspeak passage reaches on each side of a word that mixes letters and leet digits. */
  static final int LEET_REACH = 300;

  /**
   * The sentences of {@code folded} that hold a word mixing letters with leetspeak's digits ("1gn0r3", "pr3v10us"),
   * each up to {@link #LEET_REACH} characters either side of such words, joined by newlines; the whole text when they
   * cover all of it. Only these need a leetspeak reading: elsewhere it would read the same words as the text itself.
   * A long technical text with a few words such as "sha256" or "ipv4" then costs a few short passages, not three more
   * copies of itself.
   */
  static String leetPassages(String folded) {
    int n = folded.length();
    StringBuilder sb = null;
    int spanFrom = -1;
    int spanTo = -1;
    int i = 0;
    while (i < n) {
      int k = Shape.kind(folded.charAt(i));
      if (k == 0) {
        i++;
        continue;
      }
      int start = i;
      int all = 0;
      while (i < n && (k = Shape.kind(folded.charAt(i))) != 0) {
        all |= k;
        i++;
      }
      if (!Shape.mixedLeet(all, i - start)) {
        continue;
      }
      int from = sentenceStart(folded, start);
      int to = sentenceEnd(folded, i);
      if (spanTo >= 0 && from <= spanTo) {
        spanTo = Math.max(spanTo, to);
        continue;
      }
      if (spanTo >= 0) {
        sb = append(sb, folded, spanFrom, spanTo);
      }
      spanFrom = from;
      spanTo = to;
    }
    if (spanTo < 0) {
      return folded;
    }
    if (sb == null && spanFrom == 0 && spanTo == n) {
      return folded;
    }
    return append(sb, folded, spanFrom, spanTo).toString();
  }

  private static StringBuilder append(StringBuilder sb, String text, int from, int to) {
    if (sb == null) {
      sb = new StringBuilder(to - from + 16);
    } else {
      sb.append('\n');
    }
    return sb.append(text, from, to);
  }

  private static boolean sentenceEnds(char c) {
    return c == '.' || c == '!' || c == '?' || c == '\n';
  }

  /** Where the sentence holding {@code at} starts, at most {@link #LEET_REACH} characters back. */
  private static int sentenceStart(String text, int at) {
    int limit = Math.max(0, at - LEET_REACH);
    int i = at;
    while (i > limit && !sentenceEnds(text.charAt(i - 1))) {
      i--;
    }
    return i;
  }

  /** Where the sentence running through {@code at} ends (after its full stop), at most {@link #LEET_REACH} on. */
  private static int sentenceEnd(String text, int at) {
    int limit = Math.min(text.length(), at + LEET_REACH);
    int i = at;
    while (i < limit && !sentenceEnds(text.charAt(i))) {
      i++;
    }
    return i < limit ? i + 1 : i;
  }

  /**
   * How to read a 1: always i, always l, or by its neighbour (l after a, e, o, u or another l, as in "4ll", "ru1e",
   * "7oo1"; i elsewhere, as in "1n57ruc710n").
   */
  private static final char[] LEET_ONES = {'i', 'l', '?'};

  static String leet(String s, char one) {
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) {
      char prev = i > 0 ? c[i - 1] : ' ';
      c[i] = switch (c[i]) {
        case '0' -> 'o';
        case '1' -> one != '?' ? one
            : prev == 'a' || prev == 'e' || prev == 'o' || prev == 'u' || prev == 'l' ? 'l' : 'i';
        case '3' -> 'e';
        case '4', '@' -> 'a';
        case '5', '$' -> 's';
        case '7' -> 't';
        case '8' -> 'b';
        case '9' -> 'g';
        default -> c[i];
      };
    }
    return new String(c);
  }

  /**
   * "i g n o r e  a l l" → "ignore all": when most words are single characters, single spaces go and runs of two or
   * more become one. Null when the text is not spaced out.
   */
  static String despace(String s) {
    int singles = 0;
    int words = 0;
    int start = -1;
    for (int i = 0; i <= s.length(); i++) {
      boolean space = i == s.length() || Character.isWhitespace(s.charAt(i));
      if (!space && start < 0) {
        start = i;
      } else if (space && start >= 0) {
        words++;
        if (i - start == 1) {
          singles++;
        }
        start = -1;
      }
    }
    if (singles < 8 || singles * 10 < words * 7) {
      return null;
    }
    StringBuilder sb = new StringBuilder(s.length() / 2 + 1);
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!Character.isWhitespace(c)) {
        sb.append(c);
        i++;
        continue;
      }
      int j = i;
      while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
        j++;
      }
      if (j - i >= 2) {
        sb.append(' ');
      }
      i = j;
    }
    return sb.toString();
  }
}
