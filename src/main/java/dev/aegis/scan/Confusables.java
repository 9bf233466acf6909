package dev.aegis.scan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * Unicode TR39 confusables without ICU at runtime: the skeleton of a string, and a fold of single
 * code points that imitate one ASCII character.
 *
 * <p>The data comes from {@code confusables.txt} next to this class, generated from ICU4J by
 * {@code ConfusablesTest} (which also fails when the file drifts from ICU). The two NFD steps use
 * {@link Normalizer}, so they follow the JDK's Unicode version; the mapping follows ICU's.
 *
 * <pre>{@code
 * Confusables.skeleton("p\u0430ypal").equals(Confusables.skeleton("paypal")); // true, Cyrillic а
 * Confusables.toAscii('\u043E');                    // 'o', Cyrillic о
 * Confusables.isAsciiConfusable("\uFF49gnore");     // true, fullwidth ｉ
 * }</pre>
 *
 * <p>Every method is linear in its input. A run of more than {@value #MAX_MARK_RUN} combining marks
 * is normalized in pieces of that length (as the Stream-Safe Text Format of UAX #15 would), because
 * reordering one unbounded run is quadratic; text that real writing systems produce never has such a
 * run, so its skeleton equals ICU's.
 */
public final class Confusables {
  static final String RESOURCE = "confusables.txt";
  private static final int MAX_MARK_RUN = 30;

  private Confusables() {}

  /**
   * The TR39 skeleton: NFD, each code point replaced by its confusable prototype, NFD again. Two
   * strings are confusable when their skeletons are equal. Returns {@code s} itself when it is
   * already its own skeleton.
   */
  public static String skeleton(String s) {
    String nfd = decompose(s);
    Table table = Table.INSTANCE;
    int n = nfd.length();
    int i = 0;
    while (i < n) {
      int cp = nfd.codePointAt(i);
      if (table.maps(cp)) {
        break;
      }
      i += Character.charCount(cp);
    }
    if (i == n) {
      return nfd;
    }
    StringBuilder mapped = new StringBuilder(n + 16).append(nfd, 0, i);
    while (i < n) {
      int cp = nfd.codePointAt(i);
      table.appendSkeleton(cp, mapped);
      i += Character.charCount(cp);
    }
    return decompose(mapped);
  }

  /**
   * The ASCII character that {@code codePoint} imitates, or -1. An ASCII code point is itself.
   * Otherwise: its compatibility decomposition without combining marks, if that is one ASCII
   * character (fullwidth and mathematical letters, {@code é}); else its skeleton without combining
   * marks, if that is one ASCII character (Cyrillic {@code о}, Greek {@code Α}). Constant time.
   */
  public static int toAscii(int codePoint) {
    if (codePoint >= 0 && codePoint < 0x80) {
      return codePoint;
    }
    return Table.INSTANCE.ascii(codePoint);
  }

  /** Whether {@code s} has a non-ASCII code point that {@link #toAscii} folds to ASCII. */
  public static boolean isAsciiConfusable(String s) {
    Table table = Table.INSTANCE;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (cp >= 0x80 && table.ascii(cp) >= 0) {
        return true;
      }
      i += Character.charCount(cp);
    }
    return false;
  }

  private static String decompose(CharSequence s) {
    int n = s.length();
    int cut = nextCut(s, 0);
    if (cut == n) {
      return nfd(s);
    }
    StringBuilder out = new StringBuilder(n + 16);
    for (int from = 0; from < n; from = cut, cut = nextCut(s, from)) {
      out.append(nfd(s.subSequence(from, cut)));
    }
    return out.toString();
  }

  private static String nfd(CharSequence s) {
    return Normalizer.isNormalized(s, Normalizer.Form.NFD)
        ? s.toString()
        : Normalizer.normalize(s, Normalizer.Form.NFD);
  }

  /** The end of the piece starting at {@code from}: before its {@value #MAX_MARK_RUN}+1-th mark in a row. */
  private static int nextCut(CharSequence s, int from) {
    int run = 0;
    for (int i = from; i < s.length(); ) {
      int cp = Character.codePointAt(s, i);
      if (!isMark(cp)) {
        run = 0;
      } else if (++run > MAX_MARK_RUN) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return s.length();
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  /** The parsed data file, indexed by a two-level table: code point's high bits, then low 8 bits. */
  private static final class Table {
    static final Table INSTANCE = load();

    private final char[][] blocks = new char[(Character.MAX_CODE_POINT >>> 8) + 1][];
    private int[] start = new int[4096];
    private int[] length = new int[4096];
    private byte[] ascii = new byte[4096];
    private int size;
    private final StringBuilder skeletons = new StringBuilder();

    boolean maps(int cp) {
      int entry = entry(cp);
      return entry >= 0 && length[entry] >= 0;
    }

    void appendSkeleton(int cp, StringBuilder out) {
      int entry = entry(cp);
      if (entry >= 0 && length[entry] >= 0) {
        out.append(skeletons, start[entry], start[entry] + length[entry]);
      } else {
        out.appendCodePoint(cp);
      }
    }

    int ascii(int cp) {
      int entry = entry(cp);
      return entry < 0 ? -1 : ascii[entry];
    }

    private int entry(int cp) {
      if (cp < 0 || cp > Character.MAX_CODE_POINT) {
        return -1;
      }
      char[] block = blocks[cp >>> 8];
      return block == null ? -1 : block[cp & 0xFF] - 1;
    }

    private static Table load() {
      InputStream in = Confusables.class.getResourceAsStream(RESOURCE);
      if (in == null) {
        throw new IllegalStateException(
            "missing classpath resource " + Confusables.class.getPackageName().replace('.', '/')
                + "/" + RESOURCE);
      }
      Table table = new Table();
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        int lineNumber = 0;
        for (String line; (line = reader.readLine()) != null; ) {
          lineNumber++;
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          try {
            table.add(line);
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                RESOURCE + ":" + lineNumber + ": " + e.getMessage() + ": " + line, e);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE, e);
      }
      return table;
    }

    /** Parses {@code CP<TAB>SKELETON[<TAB>ASCII]}, where SKELETON is {@code =} for none. */
    private void add(String line) {
      String[] fields = line.split("\t", -1);
      if (fields.length < 2 || fields.length > 3) {
        throw new IllegalArgumentException("expected 2 or 3 tab-separated fields");
      }
      int cp = codePoint(fields[0]);
      if (entry(cp) >= 0) {
        throw new IllegalArgumentException("duplicate code point");
      }
      if (size == start.length) {
        start = Arrays.copyOf(start, size * 2);
        length = Arrays.copyOf(length, size * 2);
        ascii = Arrays.copyOf(ascii, size * 2);
      }
      if (size == Character.MAX_VALUE - 1) {
        throw new IllegalArgumentException("more than " + (Character.MAX_VALUE - 1) + " entries");
      }
      start[size] = skeletons.length();
      length[size] = -1;
      if (!fields[1].equals("=")) {
        for (String hex : fields[1].isEmpty() ? new String[0] : fields[1].split(" ")) {
          skeletons.appendCodePoint(codePoint(hex));
        }
        length[size] = skeletons.length() - start[size];
      }
      ascii[size] = -1;
      if (fields.length == 3) {
        int folded = codePoint(fields[2]);
        if (folded >= 0x80) {
          throw new IllegalArgumentException("ASCII fold " + fields[2] + " is not ASCII");
        }
        ascii[size] = (byte) folded;
      }
      char[] block = blocks[cp >>> 8];
      if (block == null) {
        block = blocks[cp >>> 8] = new char[256];
      }
      block[cp & 0xFF] = (char) ++size;
    }

    private static int codePoint(String hex) {
      int cp;
      try {
        cp = Integer.parseInt(hex, 16);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a hex code point: '" + hex + "'");
      }
      if (cp < 0 || cp > Character.MAX_CODE_POINT) {
        throw new IllegalArgumentException("out of range: " + hex);
      }
      return cp;
    }
  }
}
