package dev.aegis.scan;

import java.util.Arrays;

/**
 * Finds a pattern's leftmost-first match, the one RE2/J's {@code find} reports, by a bounded backtracking search over
 * the exact program (RE2's "BitState" engine, without captures). Alternatives and quantifiers are tried in their
 * priority order, so the first match reached is RE2/J's; each (instruction, position) pair is explored at most once,
 * so one search costs at most instructions × window characters steps, whatever the text.
 *
 * <p>Why: RE2/J's NFA advances every live thread on every character. A rule such as
 * {@code \b(pass|send|…)\b[^.\n]{0,60}\b(sidenote|…)\b} keeps sixty gap threads alive, each starting the second
 * alternation at every character: tens of microseconds per match. Here the gap is walked once, and the alternation is
 * tried only where {@code \b} holds.
 *
 * <p>Built from the syntax tree {@link Prefilter} read, by its {@link Prefilter.Builder#exact()}, so it covers the same
 * RE2 subset, with counted repetition expanded as RE2/J expands it ({@code x{2,4}} = {@code xx(x(x)?)?}) and lazy
 * quantifiers kept lazy. A pattern with a repeated part that can match the empty string (where engines differ on
 * which empty iteration wins) or one too large to expand gets no backtracker ({@link #of} returns null), and
 * {@link #find} answers {@link #TOO_BIG} when a window would need more than {@link #MAX_BITS} visited bits; the
 * caller then asks RE2/J. Thread-safe: the scratch is per thread.
 *
 * <pre>{@code
 * Backtracker b = Backtracker.of(Prefilter.compile("\\bsend\\b[^.]{0,20}\\bkeys?\\b"));
 * int[] m = b.find(text, 0, text.length(), 0);   // {start, end}, null, or TOO_BIG
 * }</pre>
 */
final class Backtracker {
  /** The most visited-set bits one search may use (instructions × window characters): 512 KB. */
  static final long MAX_BITS = 4L << 20;
  /** {@link #find}'s answer when the window is too large for the visited set. */
  static final int[] TOO_BIG = new int[0];

  private static final byte CHAR = Prefilter.CHAR;
  private static final byte SPLIT = Prefilter.SPLIT;
  private static final byte ASSERT = Prefilter.ASSERT;

  private final byte[] op;
  private final int[] arg;
  /** The next instruction; for SPLIT the preferred one, {@link #out1} the other. */
  private final int[] out;
  private final int[] out1;
  private final int start;
  /** Per character set: ASCII members as two 64-bit masks, and every member as sorted inclusive ranges. */
  private final long[] low;
  private final long[] high;
  private final int[][] ranges;
  /** ASCII characters a match can start with, and whether it can match without reading (then it starts anywhere). */
  private final boolean[] firstAscii = new boolean[128];
  private final boolean startsAnywhere;
  /** One per thread for every backtracker (a search never runs inside another), so lookups stay cheap. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private Backtracker(Prefilter.Builder p, int start) {
    op = p.ops();
    arg = Prefilter.Builder.ints(p.arg);
    out = Prefilter.Builder.ints(p.out);
    out1 = Prefilter.Builder.ints(p.out1);
    this.start = start;
    ranges = p.sets.toArray(int[][]::new);
    low = new long[ranges.length];
    high = new long[ranges.length];
    for (int s = 0; s < ranges.length; s++) {
      int[] r = ranges[s];
      for (int k = 0; k < r.length; k += 2) {
        for (int c = r[k]; c <= Math.min(r[k + 1], 127); c++) {
          if (c < 64) {
            low[s] |= 1L << c;
          } else {
            high[s] |= 1L << (c - 64);
          }
        }
      }
    }
    startsAnywhere = firstChars();
  }

  /** The backtracker for a prefilter's pattern, or null when the pattern is outside what it handles exactly. */
  static Backtracker of(Prefilter prefilter) {
    if (prefilter == null) {
      return null;
    }
    try {
      Prefilter.Builder p = Prefilter.Builder.exact();
      int start = p.build(prefilter.syntax(), p.add(Prefilter.MATCH, 0, -1, -1));
      return new Backtracker(p, start);
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /**
   * RE2/J's leftmost-first match in the window {@code text[ws, we)} (read as a text of its own) starting at or after
   * {@code from}, as {@code {start, end}}; null when there is none; {@link #TOO_BIG} when the window is too large.
   * {@code from} must be a character boundary RE2/J would try (the window start or the end of a code point).
   */
  int[] find(String text, int ws, int we, int from) {
    int width = we - from + 1;
    long bits = (long) op.length * width;
    if (bits > MAX_BITS) {
      return TOO_BIG;
    }
    Scratch s = SCRATCH.get();
    s.prepare((int) ((bits + 63) >>> 6));
    try {
      for (int p = from; p <= we; ) {
        char c = p < we ? text.charAt(p) : 0;
        if (startsAnywhere || (p < we && (c >= 128 || firstAscii[c]))) {
          int end = run(text, ws, we, from, width, p, s);
          if (end >= 0) {
            return new int[] {p, end};
          }
        }
        if (p == we) {
          break;
        }
        p += Character.isHighSurrogate(c) && p + 1 < we && Character.isLowSurrogate(text.charAt(p + 1)) ? 2 : 1;
      }
      return null;
    } finally {
      s.clear();
    }
  }

  /** The end of the first match (in priority order) starting at {@code at}, or -1. */
  private int run(String text, int ws, int we, int base, int width, int at, Scratch s) {
    long[] visited = s.visited;
    int sp = s.push(start, at, 0);
    while (sp > 0) {
      sp -= 2;
      int ip = s.stack[sp];
      int p = s.stack[sp + 1];
      while (true) {
        int bit = ip * width + (p - base);
        int word = bit >>> 6;
        long mask = 1L << bit;
        long w = visited[word];
        if ((w & mask) != 0) {
          break;
        }
        if (w == 0) {
          s.touched(word);
        }
        visited[word] = w | mask;
        byte o = op[ip];
        if (o == CHAR) {
          if (p >= we) {
            break;
          }
          int c = text.charAt(p);
          int next = p + 1;
          if (c < 128) {
            long m = c < 64 ? low[arg[ip]] >>> c : high[arg[ip]] >>> (c - 64);
            if ((m & 1) == 0) {
              break;
            }
          } else {
            if (Character.isHighSurrogate((char) c) && next < we && Character.isLowSurrogate(text.charAt(next))) {
              c = Character.toCodePoint((char) c, text.charAt(next++));
            }
            if (!Prefilter.contains(ranges[arg[ip]], c)) {
              break;
            }
          }
          ip = out[ip];
          p = next;
        } else if (o == SPLIT) {
          sp = s.push(out1[ip], p, sp);
          ip = out[ip];
        } else if (o == ASSERT) {
          if (!holds(arg[ip], text, ws, we, p)) {
            break;
          }
          ip = out[ip];
        } else {
          return p;
        }
      }
    }
    return -1;
  }

  private static boolean holds(int kind, String text, int ws, int we, int p) {
    return switch (kind) {
      case Prefilter.BEGIN -> p == ws;
      case Prefilter.END -> p == we;
      default -> {
        boolean before = p > ws && Prefilter.isWord(text.charAt(p - 1));
        boolean after = p < we && Prefilter.isWord(text.charAt(p));
        yield (before != after) == (kind == Prefilter.WORD_BOUNDARY);
      }
    };
  }

  /**
   * Fills {@link #firstAscii} with the ASCII characters the first character read can be (assertions taken as
   * holding: a superset); true if a match can end before reading anything.
   */
  private boolean firstChars() {
    boolean[] seen = new boolean[op.length];
    int[] stack = new int[op.length + 1];
    int sp = 0;
    stack[sp++] = start;
    boolean empty = false;
    while (sp > 0) {
      int ip = stack[--sp];
      if (seen[ip]) {
        continue;
      }
      seen[ip] = true;
      switch (op[ip]) {
        case CHAR -> {
          for (int c = 0; c < 128; c++) {
            firstAscii[c] |= ((c < 64 ? low[arg[ip]] >>> c : high[arg[ip]] >>> (c - 64)) & 1) != 0;
          }
        }
        case SPLIT -> {
          stack[sp++] = out[ip];
          stack[sp++] = out1[ip];
        }
        case ASSERT -> stack[sp++] = out[ip];
        default -> empty = true;
      }
    }
    return empty;
  }

  /** Per-thread visited bits (only the words set are cleared after a search) and the backtracking stack. */
  private static final class Scratch {
    long[] visited = new long[64];
    int[] dirty = new int[64];
    int dirtyCount;
    int[] stack = new int[64];

    void prepare(int words) {
      if (visited.length < words) {
        visited = new long[Math.max(words, visited.length * 2)];
      }
    }

    void touched(int word) {
      if (dirtyCount == dirty.length) {
        dirty = Arrays.copyOf(dirty, dirty.length * 2);
      }
      dirty[dirtyCount++] = word;
    }

    void clear() {
      for (int i = 0; i < dirtyCount; i++) {
        visited[dirty[i]] = 0;
      }
      dirtyCount = 0;
    }

    /** Pushes (ip, p) on the stack whose top is {@code sp}; returns the new top. */
    int push(int ip, int p, int sp) {
      if (sp + 2 > stack.length) {
        stack = Arrays.copyOf(stack, stack.length * 2);
      }
      stack[sp] = ip;
      stack[sp + 1] = p;
      return sp + 2;
    }
  }
}
