package dev.aegis.scan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A lazily built DFA that answers two questions fast: could a rule's RE2 pattern match anywhere in this stretch of
 * text, and where could the leftmost match start? RE2/J only simulates the NFA, which costs one step per live thread
 * per character (hundreds for a rule with many alternatives); a DFA costs one table lookup per character. When the
 * answer is "maybe", {@link Finder} runs RE2/J for the real match, anchored where the reversed DFA says the leftmost
 * match can start; when it is "no", RE2/J never runs.
 *
 * <p>The DFA accepts a <em>superset</em> of the pattern's language: a wide bound {@code x{m,n}} is read as
 * {@code x{m}x*} (which keeps the automaton small; windows bound the text anyway), lazy quantifiers as greedy, groups
 * as plain grouping. A "no" is therefore always right; a "maybe" only costs an RE2/J run. When no bound was dropped
 * the DFA is {@link #exact()}. Patterns using syntax outside the supported subset (Unicode classes, flags,
 * {@code \Q..\E}, POSIX classes) get no prefilter ({@link #compile} returns null) and always run on RE2/J.
 *
 * <p>Matching is by code point, like RE2/J; {@code \b} uses ASCII word characters, like RE2/J. States are built on
 * first use and kept, up to {@link #MAX_STATES} per direction; past that the cache is dropped and the calls under way
 * answer "maybe", so time stays linear and memory bounded. Thread-safe: transitions live in an int table that is
 * filled in under a lock and read without one (a zero only means taking the lock); growing or dropping the table
 * publishes a new one.
 */
final class Prefilter {
  static final int MAX_STATES = 2000;
  private static final int MAX_NFA = 20_000;
  private static final int MAX_COUNT = 32;
  private static final int MAX_OPTIONAL = 3;

  // NFA: parallel arrays.
  static final byte CHAR = 0;
  static final byte SPLIT = 1;
  static final byte ASSERT = 2;
  static final byte MATCH = 3;
  static final int BEGIN = 0;
  static final int END = 1;
  static final int WORD_BOUNDARY = 2;
  static final int NOT_WORD_BOUNDARY = 3;

  private final String source;
  /** The pattern as read, for {@link #pruneFor}. */
  private final Node syntax;
  private final int maxStates;
  private final int[] bounds;
  private final short[] asciiClass = new short[128];
  private final boolean[] classWord;
  private final int classes;
  /** The pattern read left to right, and reversed (read right to left, to find where matches start). */
  private final Dfa forward;
  private final Dfa backward;
  /** No repetition bound was dropped: the DFA accepts exactly the pattern's language. */
  private final boolean exact;

  private Prefilter(String source, Node syntax, int maxStates, Builder fwd, int fwdStart, Builder bwd,
      int bwdStart) {
    this.source = source;
    this.syntax = syntax;
    this.maxStates = maxStates;
    this.exact = !fwd.relaxed;
    TreeSet<Integer> cuts = new TreeSet<>(List.of((int) '0', '9' + 1, (int) 'A', 'Z' + 1, (int) '_', '_' + 1, (int) 'a',
        'z' + 1));
    for (int[] ranges : fwd.sets) {
      for (int i = 0; i < ranges.length; i += 2) {
        cuts.add(ranges[i]);
        if (ranges[i + 1] < Character.MAX_CODE_POINT) {
          cuts.add(ranges[i + 1] + 1);
        }
      }
    }
    cuts.remove(0);
    bounds = cuts.stream().mapToInt(Integer::intValue).toArray();
    classes = bounds.length + 1;
    if (classes > 1024) {
      throw new IllegalStateException("too many character classes");
    }
    classWord = new boolean[classes];
    int[] representative = new int[classes];
    for (int k = 1; k < classes; k++) {
      representative[k] = bounds[k - 1];
    }
    for (int k = 0; k < classes; k++) {
      classWord[k] = isWord(representative[k]);
    }
    for (int c = 0; c < 128; c++) {
      asciiClass[c] = (short) classOfSlow(c);
    }
    forward = new Dfa(fwd, fwdStart, representative);
    backward = new Dfa(bwd, bwdStart, representative);
  }

  /** The prefilter for {@code regex}, or null when it uses syntax this class does not model. */
  static Prefilter compile(String regex) {
    return compile(regex, MAX_STATES);
  }

  /** {@link #compile(String)} keeping at most {@code maxStates} DFA states per direction (tests use a few). */
  static Prefilter compile(String regex, int maxStates) {
    try {
      Node root = new Parser(regex).parseAll();
      Builder fwd = new Builder();
      int fwdStart = fwd.build(root, fwd.add(MATCH, 0, -1, -1));
      Builder bwd = new Builder();
      int bwdStart = bwd.build(reverse(root), bwd.add(MATCH, 0, -1, -1));
      return new Prefilter(regex, root, maxStates, fwd, fwdStart, bwd, bwdStart);
    } catch (IllegalStateException | IllegalArgumentException e) {
      return null;
    }
  }

  String source() {
    return source;
  }

  /** The pattern as read (for {@link Backtracker}). */
  Node syntax() {
    return syntax;
  }

  /**
   * How many copies RE2/J makes of {@code regex}'s most nested part (counted repeats multiply: {@code ((x){50}){50}} is
   * 2,500), and of its most nested part that can match nothing (RE2/J follows those copies by recursion); 1 and 1
   * for a pattern outside the syntax this class reads. {@link RuleSet} refuses patterns past its limits.
   */
  static long[] repeatCopies(String regex) {
    try {
      return copies(new Parser(regex).parseAll());
    } catch (IllegalStateException | IllegalArgumentException e) {
      return new long[] {1, 1};
    }
  }

  /** {copies of the most nested part, copies of the most nested part that can match nothing}. */
  private static long[] copies(Node n) {
    if (n instanceof Rep r) {
      long[] inner = copies(r.item());
      long k = Math.max(1, r.max() == -1 ? r.min() : r.max());
      long empty = nullable(r.item()) ? k * inner[1] : inner[1];
      return new long[] {Math.min(1L << 40, k * inner[0]), Math.min(1L << 40, empty)};
    }
    long[] most = {1, 1};
    List<Node> items = n instanceof Cat cat ? cat.items() : n instanceof Alt alt ? alt.items() : List.of();
    for (Node item : items) {
      long[] c = copies(item);
      most[0] = Math.max(most[0], c[0]);
      most[1] = Math.max(most[1], c[1]);
    }
    return most;
  }

  /**
   * The pattern for matches that start with the ASCII character {@code c}: alternatives that cannot begin with it
   * left out, or null when no match can start with it. RE2/J's anchored match spends most of its time on the first
   * character, adding every alternative of a large alternation to its thread list; with only those that can start
   * there, the same match costs a few threads.
   *
   * <p>Leftmost-first results are unchanged: an alternative that cannot match from this start contributes no match,
   * and the ones kept keep their order. Only what is sure to be unmatched is cut: the first piece of a sequence
   * (after zero-width assertions) and alternatives whose possible first characters exclude {@code c}; repeated
   * pieces and everything after the first piece are kept as written.
   *
   * <pre>{@code Prefilter.compile("\\b(steal\\w*|phish\\w*)").pruneFor('p')   // "\\b(phish\\w*)" }</pre>
   */
  String pruneFor(char c) {
    String body = !nullable(syntax) && !canStart(syntax, c) ? null : prune(syntax, c);
    return body == null ? null : source.substring(0, syntax.from()) + body + source.substring(syntax.to());
  }

  private String prune(Node n, char c) {
    if (n instanceof Alt alt) {
      return prunedOptions(alt, c);
    }
    if (n instanceof Cat cat) {
      // Assertions read nothing, so the first character is the next item's: prune up to and including it. The text
      // between items (a group's parentheses) is copied as it is.
      StringBuilder sb = new StringBuilder();
      int at = cat.from();
      boolean pruning = true;
      for (Node item : cat.items()) {
        sb.append(source, at, item.from());
        if (pruning) {
          String p = prune(item, c);
          if (p == null) {
            return null;
          }
          sb.append(p);
          pruning = zeroWidth(item);
        } else {
          sb.append(source, item.from(), item.to());
        }
        at = item.to();
      }
      return sb.append(source, at, cat.to()).toString();
    }
    if (n instanceof Assert) {
      return text(n);
    }
    return nullable(n) || canStart(n, c) ? text(n) : null;
  }

  /** An alternation's options that can match starting with {@code c}, pruned, in order; null if none. */
  private String prunedOptions(Alt alt, char c) {
    StringBuilder sb = new StringBuilder();
    boolean any = false;
    for (Node option : alt.items()) {
      String p = nullable(option) || canStart(option, c) ? prune(option, c) : null;
      if (p != null) {
        if (any) {
          sb.append('|');
        }
        sb.append(p);
        any = true;
      }
    }
    return any ? sb.toString() : null;
  }

  private String text(Node n) {
    return source.substring(n.from(), n.to());
  }

  /** Whether {@code n} can match the empty string. */
  static boolean nullable(Node n) {
    if (n instanceof Chars) {
      return false;
    }
    if (n instanceof Assert) {
      return true;
    }
    if (n instanceof Rep r) {
      return r.min() == 0 || nullable(r.item());
    }
    if (n instanceof Alt alt) {
      return alt.items().stream().anyMatch(Prefilter::nullable);
    }
    return ((Cat) n).items().stream().allMatch(Prefilter::nullable);
  }

  private static boolean zeroWidth(Node n) {
    if (n instanceof Assert) {
      return true;
    }
    if (n instanceof Chars || n instanceof Rep) {
      return false;
    }
    List<Node> items = n instanceof Cat cat ? cat.items() : ((Alt) n).items();
    return items.stream().allMatch(Prefilter::zeroWidth);
  }

  /** Whether a non-empty match of {@code n} can begin with {@code c}. */
  private static boolean canStart(Node n, char c) {
    if (n instanceof Chars ch) {
      return contains(ch.ranges(), c);
    }
    if (n instanceof Assert) {
      return false;
    }
    if (n instanceof Rep r) {
      return canStart(r.item(), c);
    }
    if (n instanceof Alt alt) {
      return alt.items().stream().anyMatch(o -> canStart(o, c));
    }
    for (Node item : ((Cat) n).items()) {
      if (canStart(item, c)) {
        return true;
      }
      if (!nullable(item)) {
        return false;
      }
    }
    return false;
  }

  /** True when {@link #mayMatch} answers exactly whether RE2/J would find a match (not just "maybe"). */
  boolean exact() {
    return exact;
  }

  /** False only if the pattern cannot match anywhere in {@code text[from, to)} (matched as a text of its own). */
  boolean mayMatch(CharSequence text, int from, int to) {
    Dfa dfa = forward;
    Tables t = dfa.tables;
    int s = 0;
    int i = from;
    while (i < to) {
      int c = text.charAt(i++);
      if (c >= 0x80 && Character.isHighSurrogate((char) c) && i < to && Character.isLowSurrogate(text.charAt(i))) {
        c = Character.toCodePoint((char) c, text.charAt(i++));
      }
      int k = c < 128 ? asciiClass[c] : classOfSlow(c);
      int e = t.trans[s + k];
      if (e == 0) {
        e = dfa.step(t, s, k);
        t = e < 0 ? null : dfa.current(t);
        if (t == null) {
          return true;
        }
      }
      if ((e & 1) != 0) {
        return true;
      }
      s = (e >>> 1) - classes;
    }
    return dfa.matchesAtEnd(t, s);
  }

  /**
   * {@link #mayMatch(CharSequence, int, int)} over a text's chars (array reads; ASCII ones by table, the rest, with
   * surrogate pairs joined, by search).
   */
  boolean mayMatch(char[] text, int from, int to) {
    Dfa dfa = forward;
    Tables t = dfa.tables;
    int[] next = t.next;
    short[] classOf = asciiClass;
    int s = 0;
    int i = from;
    while (i < to) {
      int c = text[i++];
      int k;
      if (c < 128) {
        k = classOf[c];
      } else {
        if (Character.isHighSurrogate((char) c) && i < to && Character.isLowSurrogate(text[i])) {
          c = Character.toCodePoint((char) c, text[i++]);
        }
        k = classOfSlow(c);
      }
      int n = next[s + k];
      if (n >= 0) {
        s = n;
        continue;
      }
      // Not built yet, or a match ends here.
      int e = t.trans[s + k];
      if (e == 0) {
        e = dfa.step(t, s, k);
        t = e < 0 ? null : dfa.current(t);
        if (t == null) {
          return true;
        }
        next = t.next;
      }
      if ((e & 1) != 0) {
        return true;
      }
      s = (e >>> 1) - classes;
    }
    return dfa.matchesAtEnd(t, s);
  }

  /** {@link #leftmostStart(CharSequence, int, int)} over a text's chars. */
  int leftmostStart(char[] text, int from, int to) {
    Dfa dfa = backward;
    Tables t = dfa.tables;
    int[] trans = t.trans;
    short[] classOf = asciiClass;
    int s = 0;
    int best = -1;
    int i = to;
    while (i > from) {
      int c = text[--i];
      int k;
      int width = 1;
      if (c < 128) {
        k = classOf[c];
      } else {
        if (Character.isLowSurrogate((char) c) && i > from && Character.isHighSurrogate(text[i - 1])) {
          c = Character.toCodePoint(text[--i], (char) c);
          width = 2;
        }
        k = classOfSlow(c);
      }
      int e = trans[s + k];
      if (e == 0) {
        e = dfa.step(t, s, k);
        t = e < 0 ? null : dfa.current(t);
        if (t == null) {
          return from;
        }
        trans = t.trans;
      }
      if ((e & 1) != 0) {
        best = i + width;
      }
      s = (e >>> 1) - classes;
    }
    return dfa.matchesAtEnd(t, s) ? from : best;
  }

  /**
   * No match of the pattern in {@code text[from, to)} starts before the returned position (where the leftmost
   * match may start), or -1 when there is no match at all. Reads the reversed pattern right to left.
   */
  int leftmostStart(CharSequence text, int from, int to) {
    Dfa dfa = backward;
    Tables t = dfa.tables;
    int s = 0;
    int best = -1;
    int i = to;
    while (i > from) {
      int c = text.charAt(--i);
      if (c >= 0x80 && Character.isLowSurrogate((char) c) && i > from
          && Character.isHighSurrogate(text.charAt(i - 1))) {
        c = Character.toCodePoint(text.charAt(--i), (char) c);
      }
      int k = c < 128 ? asciiClass[c] : classOfSlow(c);
      int e = t.trans[s + k];
      if (e == 0) {
        e = dfa.step(t, s, k);
        t = e < 0 ? null : dfa.current(t);
        if (t == null) {
          return from;
        }
      }
      if ((e & 1) != 0) {
        best = i + Character.charCount(c);
      }
      s = (e >>> 1) - classes;
    }
    return dfa.matchesAtEnd(t, s) ? from : best;
  }

  /**
   * The transition table of one generation of a DFA: row {@code s} (a multiple of {@code classes}) holds, per
   * character class, 0 (not built yet) or {@code ((next + classes) << 1) | matched}, where {@code matched} says a
   * match ended just before that character. Row 0 is the initial state. Replaced (never changed in place, except to
   * fill in zeros) when it grows or when the cache is dropped, which starts a new generation.
   */
  private static final class Tables {
    final int[] trans;
    /**
     * The same transitions for the fast path of {@link #mayMatch(char[], int, int)}: the next row, or -1 when the
     * entry is not built yet or a match ends there (one load and no decoding per character).
     */
    final int[] next;
    final int generation;

    Tables(int[] trans, int[] next, int generation) {
      this.trans = trans;
      this.next = next;
      this.generation = generation;
    }

    static Tables empty(int size, int generation) {
      int[] next = new int[size];
      Arrays.fill(next, -1);
      return new Tables(new int[size], next, generation);
    }

    Tables grown() {
      int[] n = Arrays.copyOf(next, next.length * 2);
      Arrays.fill(n, next.length, n.length, -1);
      return new Tables(Arrays.copyOf(trans, trans.length * 2), n, generation);
    }
  }

  /** One automaton: an NFA and the DFA states built from it so far. */
  private final class Dfa {
    private final byte[] op;
    private final int[] arg;
    private final int[] out;
    private final int[] out1;
    private final int start;
    /** Per character set (a CHAR state's {@code arg}): membership of each character class. */
    private final boolean[][] sets;
    private final Object lock = new Object();
    private volatile Tables tables;
    // Guarded by lock: the states of the current generation, by row number / classes.
    private Map<Key, Integer> rows = new HashMap<>();
    private final List<Key> keys = new ArrayList<>();
    /** Per state: 0 unknown, 1 a match ends at the end of the text, 2 none. */
    private byte[] endMatch = new byte[16];

    Dfa(Builder b, int start, int[] representative) {
      op = b.ops();
      arg = Builder.ints(b.arg);
      out = Builder.ints(b.out);
      out1 = Builder.ints(b.out1);
      this.start = start;
      sets = new boolean[b.sets.size()][classes];
      for (int s = 0; s < b.sets.size(); s++) {
        for (int k = 0; k < classes; k++) {
          sets[s][k] = contains(b.sets.get(s), representative[k]);
        }
      }
      synchronized (lock) {
        reset(0);
      }
    }

    /**
     * The table to go on reading with after {@link #step}: the newest one if it is still {@code seen}'s generation
     * (state numbers still mean the same states), else null (the caller answers "maybe").
     */
    Tables current(Tables seen) {
      Tables t = tables;
      return t.generation == seen.generation ? t : null;
    }

    /** Drops every state and starts generation {@code generation} with just the initial state. */
    private void reset(int generation) {
      rows = new HashMap<>();
      keys.clear();
      endMatch = new byte[16];
      Tables fresh = Tables.empty(classes * 16, generation);
      tables = fresh;
      row(new Key(new int[0], 2), fresh);
    }

    /**
     * The table entry for row {@code s} of {@code seen} reading class {@code k} (building the next state if needed),
     * or -1 when {@code seen} belongs to a dropped generation or the cache just had to be dropped.
     */
    int step(Tables seen, int s, int k) {
      synchronized (lock) {
        Tables t = tables;
        if (t.generation != seen.generation) {
          return -1;
        }
        int known = t.trans[s + k];
        if (known != 0) {
          return known;
        }
        Key from = keys.get(s / classes);
        boolean nextWord = classWord[k];
        boolean[] matched = new boolean[1];
        int[] threads = closure(from, nextWord, false, matched);
        int[] stepped = new int[threads.length];
        int m = 0;
        for (int th : threads) {
          if (sets[arg[th]][k]) {
            stepped[m++] = out[th];
          }
        }
        Arrays.sort(stepped, 0, m);
        int w = 0;
        for (int i = 0; i < m; i++) {
          if (i == 0 || stepped[i] != stepped[w - 1]) {
            stepped[w++] = stepped[i];
          }
        }
        Key key = new Key(Arrays.copyOf(stepped, w), nextWord ? 1 : 0);
        Integer next = rows.get(key);
        if (next == null) {
          if (keys.size() >= maxStates) {
            reset(t.generation + 1);
            return -1;
          }
          next = row(key, t);
          t = tables;
        }
        int entry = ((next + classes) << 1) | (matched[0] ? 1 : 0);
        t.trans[s + k] = entry;
        if (!matched[0]) {
          t.next[s + k] = next;
        }
        return entry;
      }
    }

    /** Adds a state (lock held); grows the table into a new {@link Tables} of the same generation when full. */
    private int row(Key key, Tables t) {
      int row = keys.size() * classes;
      keys.add(key);
      rows.put(key, row);
      if (row + classes > t.trans.length) {
        tables = t.grown();
      }
      if (keys.size() > endMatch.length) {
        endMatch = Arrays.copyOf(endMatch, endMatch.length * 2);
      }
      return row;
    }

    boolean matchesAtEnd(Tables seen, int s) {
      synchronized (lock) {
        if (tables.generation != seen.generation) {
          return true;
        }
        int state = s / classes;
        if (endMatch[state] == 0) {
          boolean[] matched = new boolean[1];
          closure(keys.get(state), false, true, matched);
          endMatch[state] = matched[0] ? (byte) 1 : (byte) 2;
        }
        return endMatch[state] == 1;
      }
    }

    /**
     * The CHAR states reachable without reading from {@code s}'s threads plus a new thread at the start (the search
     * is unanchored), given what the next character is; {@code matched[0]} is set if MATCH is reachable.
     */
    private int[] closure(Key s, boolean nextWord, boolean atEnd, boolean[] matched) {
      boolean prevWord = (s.flags() & 1) != 0;
      boolean atStart = (s.flags() & 2) != 0;
      boolean[] seen = new boolean[op.length];
      int[] stack = new int[op.length + s.nfa().length + 1];
      int sp = 0;
      int[] chars = new int[op.length];
      int n = 0;
      stack[sp++] = start;
      for (int t : s.nfa()) {
        stack[sp++] = t;
      }
      while (sp > 0) {
        int t = stack[--sp];
        if (seen[t]) {
          continue;
        }
        seen[t] = true;
        switch (op[t]) {
          case MATCH -> matched[0] = true;
          case CHAR -> chars[n++] = t;
          case SPLIT -> {
            stack[sp++] = out1[t];
            stack[sp++] = out[t];
          }
          default -> {
            boolean holds = switch (arg[t]) {
              case BEGIN -> atStart;
              case END -> atEnd;
              case WORD_BOUNDARY -> prevWord != nextWord;
              default -> prevWord == nextWord;
            };
            if (holds) {
              stack[sp++] = out[t];
            }
          }
        }
      }
      return Arrays.copyOf(chars, n);
    }
  }

  private int classOfSlow(int c) {
    int lo = 0;
    int hi = bounds.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (bounds[mid] <= c) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Whether sorted inclusive {@code ranges} hold {@code c}. */
  static boolean contains(int[] ranges, int c) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (c < ranges[i]) {
        return false;
      }
      if (c <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** An ASCII word character, as RE2/J's {@code \b} reads them. */
  static boolean isWord(int c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  }

  /**
   * A DFA state: the NFA threads alive (sorted) and flags: 1 = the previous character was a word character; 2 = at
   * the start of the text.
   */
  private record Key(int[] nfa, int flags) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.flags == flags && Arrays.equals(k.nfa, nfa);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(nfa) * 31 + flags;
    }
  }

  /** The same language read backwards: concatenations reversed, start and end of text swapped. */
  private static Node reverse(Node n) {
    if (n instanceof Cat cat) {
      List<Node> items = new ArrayList<>();
      for (int k = cat.items().size() - 1; k >= 0; k--) {
        items.add(reverse(cat.items().get(k)));
      }
      return new Cat(items, cat.from(), cat.to());
    }
    if (n instanceof Alt alt) {
      return new Alt(alt.items().stream().map(Prefilter::reverse).toList(), alt.from(), alt.to());
    }
    if (n instanceof Rep rep) {
      return new Rep(reverse(rep.item()), rep.min(), rep.max(), rep.lazy(), rep.from(), rep.to());
    }
    if (n instanceof Assert a) {
      return new Assert(a.kind() == BEGIN ? END : a.kind() == END ? BEGIN : a.kind(), a.from(), a.to());
    }
    return n;
  }

  // ------------------------------------------------------------------------------------------------ syntax tree

  /**
   * Every node knows the text it was read from, {@code regex[from, to)}, without the parentheses of a group it is
   * the body of (they lie between a sequence's items; {@link #pruneFor} copies them from there).
   */
  sealed interface Node permits Chars, Cat, Alt, Rep, Assert {
    int from();

    int to();
  }

  /** Sorted, merged inclusive ranges of code points. */
  record Chars(int[] ranges, int from, int to) implements Node {}

  record Cat(List<Node> items, int from, int to) implements Node {}

  record Alt(List<Node> items, int from, int to) implements Node {}

  /** max = -1: unbounded; lazy: {@code x*?} and the like, which prefer fewer copies (the DFAs ignore that). */
  record Rep(Node item, int min, int max, boolean lazy, int from, int to) implements Node {}

  record Assert(int kind, int from, int to) implements Node {}

  private static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
  private static final int[] DIGIT = {'0', '9'};
  private static final int[] SPACE = {'\t', '\n', '\f', '\r', ' ', ' '};
  private static final int[] ANY_BUT_NEWLINE = {0, '\n' - 1, '\n' + 1, Character.MAX_CODE_POINT};

  /** Recursive descent over the RE2 syntax subset; anything else throws IllegalArgumentException. */
  private static final class Parser {
    private final String s;
    private int i;
    private int depth;

    Parser(String s) {
      this.s = s;
    }

    Node parseAll() {
      Node n = alt();
      if (i != s.length()) {
        throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "'");
      }
      return n;
    }

    private Node alt() {
      if (++depth > 200) {
        throw new IllegalArgumentException("too deep");
      }
      int start = i;
      List<Node> items = new ArrayList<>();
      items.add(cat());
      while (i < s.length() && s.charAt(i) == '|') {
        i++;
        items.add(cat());
      }
      depth--;
      return items.size() == 1 ? items.get(0) : new Alt(items, start, i);
    }

    private Node cat() {
      int start = i;
      List<Node> items = new ArrayList<>();
      while (i < s.length() && s.charAt(i) != '|' && s.charAt(i) != ')') {
        int piece = i;
        Node atom = atom();
        while (i < s.length()) {
          char c = s.charAt(i);
          if (c == '*') {
            i++;
            atom = new Rep(atom, 0, -1, false, piece, i);
          } else if (c == '+') {
            i++;
            atom = new Rep(atom, 1, -1, false, piece, i);
          } else if (c == '?') {
            i++;
            atom = new Rep(atom, 0, 1, false, piece, i);
          } else if (c == '{' && counted()) {
            atom = counted(atom, piece);
          } else {
            break;
          }
          if (i < s.length() && s.charAt(i) == '?') {
            i++;
            if (atom instanceof Rep r) {
              atom = new Rep(r.item(), r.min(), r.max(), true, piece, i);
            }
          }
        }
        items.add(atom);
      }
      return items.size() == 1 ? items.get(0) : new Cat(items, start, i);
    }

    /** A valid {@code {n}}, {@code {n,}} or {@code {n,m}} at i; RE2/J reads anything else (even "{01}") literally. */
    private boolean counted() {
      int end = digits(i + 1);
      if (end < 0 || end >= s.length()) {
        return false;
      }
      if (s.charAt(end) == '}') {
        return true;
      }
      if (s.charAt(end) != ',' || end + 1 >= s.length()) {
        return false;
      }
      if (s.charAt(end + 1) == '}') {
        return true;
      }
      int end2 = digits(end + 1);
      return end2 >= 0 && end2 < s.length() && s.charAt(end2) == '}';
    }

    /** The end of a run of ASCII digits at j without a leading zero, or -1. */
    private int digits(int j) {
      int k = j;
      while (k < s.length() && s.charAt(k) >= '0' && s.charAt(k) <= '9') {
        k++;
      }
      return k == j || (k - j >= 2 && s.charAt(j) == '0') ? -1 : k;
    }

    private Node counted(Node atom, int piece) {
      i++;
      int min = number();
      int max = min;
      if (s.charAt(i) == ',') {
        i++;
        max = s.charAt(i) == '}' ? -1 : number();
      }
      i++;
      if (max != -1 && max < min) {
        throw new IllegalArgumentException("bad repeat");
      }
      return new Rep(atom, min, max, false, piece, i);
    }

    private int number() {
      int start = i;
      while (s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      if (i - start > 4) {
        throw new IllegalArgumentException("repeat too large");
      }
      return Integer.parseInt(s.substring(start, i));
    }

    private Node atom() {
      int start = i;
      char c = s.charAt(i);
      switch (c) {
        case '(' -> {
          i++;
          if (s.startsWith("?:", i)) {
            i += 2;
          } else if (s.startsWith("?P<", i) || s.startsWith("?<", i)) {
            int close = s.indexOf('>', i);
            if (close < 0) {
              throw new IllegalArgumentException("bad group name");
            }
            i = close + 1;
          } else if (i < s.length() && s.charAt(i) == '?') {
            throw new IllegalArgumentException("flags are not modelled");
          }
          Node n = alt();
          if (i >= s.length() || s.charAt(i) != ')') {
            throw new IllegalArgumentException("missing ')'");
          }
          i++;
          return n;
        }
        case '[' -> {
          return charClass(start);
        }
        case '.' -> {
          i++;
          return new Chars(ANY_BUT_NEWLINE, start, i);
        }
        case '^' -> {
          i++;
          return new Assert(BEGIN, start, i);
        }
        case '$' -> {
          i++;
          return new Assert(END, start, i);
        }
        case '\\' -> {
          return escape(start);
        }
        case '*', '+', '?' -> throw new IllegalArgumentException("missing argument to repetition");
        default -> {
          int cp = s.codePointAt(i);
          i += Character.charCount(cp);
          return new Chars(new int[] {cp, cp}, start, i);
        }
      }
    }

    private Node escape(int start) {
      i++;
      if (i >= s.length()) {
        throw new IllegalArgumentException("trailing backslash");
      }
      char c = s.charAt(i);
      switch (c) {
        case 'b' -> {
          i++;
          return new Assert(WORD_BOUNDARY, start, i);
        }
        case 'B' -> {
          i++;
          return new Assert(NOT_WORD_BOUNDARY, start, i);
        }
        case 'A' -> {
          i++;
          return new Assert(BEGIN, start, i);
        }
        case 'z' -> {
          i++;
          return new Assert(END, start, i);
        }
        default -> {
          int[] perl = perlClass(c);
          if (perl != null) {
            i++;
            return new Chars(perl, start, i);
          }
          int cp = escapedChar();
          return new Chars(new int[] {cp, cp}, start, i);
        }
      }
    }

    /** \w \W \s \S \d \D, or null. */
    private static int[] perlClass(char c) {
      return switch (c) {
        case 'w' -> WORD;
        case 'W' -> negate(WORD);
        case 's' -> SPACE;
        case 'S' -> negate(SPACE);
        case 'd' -> DIGIT;
        case 'D' -> negate(DIGIT);
        default -> null;
      };
    }

    /** One escaped literal character at i (after the backslash); advances past it. */
    private int escapedChar() {
      char c = s.charAt(i++);
      switch (c) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case 'f':
          return '\f';
        case 'v':
          return 0x0B;
        case 'a':
          return 0x07;
        case 'x':
          return hex();
        default:
          if (c < 0x80 && !Character.isLetterOrDigit(c)) {
            return c;
          }
          throw new IllegalArgumentException("escape \\" + c + " is not modelled");
      }
    }

    private int hex() {
      int end;
      int start;
      if (i < s.length() && s.charAt(i) == '{') {
        start = i + 1;
        end = s.indexOf('}', start);
        if (end < 0 || end - start > 6 || end == start) {
          throw new IllegalArgumentException("bad \\x{}");
        }
        i = end + 1;
      } else {
        start = i;
        end = i + 2;
        if (end > s.length()) {
          throw new IllegalArgumentException("bad \\x");
        }
        i = end;
      }
      int v = Integer.parseInt(s.substring(start, end), 16);
      if (v > Character.MAX_CODE_POINT) {
        throw new IllegalArgumentException("bad \\x");
      }
      return v;
    }

    private Node charClass(int start) {
      i++;
      boolean negated = false;
      if (i < s.length() && s.charAt(i) == '^') {
        negated = true;
        i++;
      }
      List<int[]> parts = new ArrayList<>();
      boolean first = true;
      while (true) {
        if (i >= s.length()) {
          throw new IllegalArgumentException("missing ']'");
        }
        char c = s.charAt(i);
        if (c == ']' && !first) {
          i++;
          break;
        }
        first = false;
        if (c == '[' && i + 1 < s.length() && s.charAt(i + 1) == ':') {
          throw new IllegalArgumentException("POSIX classes are not modelled");
        }
        int lo;
        if (c == '\\') {
          i++;
          if (i >= s.length()) {
            throw new IllegalArgumentException("trailing backslash");
          }
          int[] perl = perlClass(s.charAt(i));
          if (perl != null) {
            i++;
            parts.add(perl);
            continue;
          }
          lo = escapedChar();
        } else {
          lo = s.codePointAt(i);
          i += Character.charCount(lo);
        }
        int hi = lo;
        if (i + 1 < s.length() && s.charAt(i) == '-' && s.charAt(i + 1) != ']') {
          i++;
          if (s.charAt(i) == '\\') {
            i++;
            if (i >= s.length()) {
              throw new IllegalArgumentException("trailing backslash");
            }
            hi = escapedChar();
          } else {
            hi = s.codePointAt(i);
            i += Character.charCount(hi);
          }
          if (hi < lo) {
            throw new IllegalArgumentException("bad range");
          }
        }
        parts.add(new int[] {lo, hi});
      }
      int[] merged = merge(parts);
      return new Chars(negated ? negate(merged) : merged, start, i);
    }

    private static int[] merge(List<int[]> parts) {
      List<int[]> pairs = new ArrayList<>();
      for (int[] p : parts) {
        for (int k = 0; k < p.length; k += 2) {
          pairs.add(new int[] {p[k], p[k + 1]});
        }
      }
      pairs.sort((a, b) -> Integer.compare(a[0], b[0]));
      List<Integer> outList = new ArrayList<>();
      for (int[] p : pairs) {
        int n = outList.size();
        if (n > 0 && p[0] <= outList.get(n - 1) + 1) {
          outList.set(n - 1, Math.max(outList.get(n - 1), p[1]));
        } else {
          outList.add(p[0]);
          outList.add(p[1]);
        }
      }
      return outList.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] negate(int[] ranges) {
      List<Integer> outList = new ArrayList<>();
      int next = 0;
      for (int k = 0; k < ranges.length; k += 2) {
        if (ranges[k] > next) {
          outList.add(next);
          outList.add(ranges[k] - 1);
        }
        next = ranges[k + 1] + 1;
      }
      if (next <= Character.MAX_CODE_POINT) {
        outList.add(next);
        outList.add(Character.MAX_CODE_POINT);
      }
      return outList.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  // ------------------------------------------------------------------------------------------------ NFA

  /**
   * Thompson construction, built back to front: {@code build(node, next)} returns the state that leads to next. Two
   * modes: for the DFAs, a wide bound may be dropped ({@code x{0,40}} read as {@code x*}: the language only grows,
   * {@link #relaxed} says so); {@link #exact()}, for the {@link Backtracker}, every counted repeat is expanded as
   * RE2/J expands it and a repeated part that can match nothing is refused. Lazy repeats prefer fewer copies (the
   * order of a SPLIT's two ways, which only the backtracker reads).
   */
  static final class Builder {
    final List<Byte> op = new ArrayList<>();
    final List<Integer> arg = new ArrayList<>();
    final List<Integer> out = new ArrayList<>();
    final List<Integer> out1 = new ArrayList<>();
    final List<int[]> sets = new ArrayList<>();
    boolean relaxed;
    private final boolean exact;
    private final Map<String, Integer> setIds = new HashMap<>();

    Builder() {
      this(false);
    }

    private Builder(boolean exact) {
      this.exact = exact;
    }

    /** A builder that keeps every bound and the order of lazy repeats. */
    static Builder exact() {
      return new Builder(true);
    }

    int add(byte o, int a, int next, int next1) {
      if (op.size() >= MAX_NFA) {
        throw new IllegalStateException("pattern too large to compile");
      }
      op.add(o);
      arg.add(a);
      out.add(next);
      out1.add(next1);
      return op.size() - 1;
    }

    /** A SPLIT preferring {@code first} (or {@code second} when lazy). */
    private int split(int first, int second, boolean lazy) {
      return lazy ? add(SPLIT, 0, second, first) : add(SPLIT, 0, first, second);
    }

    int build(Node n, int next) {
      if (n instanceof Chars c) {
        Integer id = setIds.computeIfAbsent(Arrays.toString(c.ranges()), k -> {
          sets.add(c.ranges());
          return sets.size() - 1;
        });
        return add(CHAR, id, next, -1);
      }
      if (n instanceof Cat cat) {
        int s = next;
        for (int k = cat.items().size() - 1; k >= 0; k--) {
          s = build(cat.items().get(k), s);
        }
        return s;
      }
      if (n instanceof Alt alt) {
        int s = build(alt.items().get(alt.items().size() - 1), next);
        for (int k = alt.items().size() - 2; k >= 0; k--) {
          s = add(SPLIT, 0, build(alt.items().get(k), next), s);
        }
        return s;
      }
      if (n instanceof Assert a) {
        return add(ASSERT, a.kind(), next, -1);
      }
      Rep r = (Rep) n;
      if (exact && nullable(r.item())) {
        throw new IllegalStateException("repeated part can match the empty string");
      }
      int s = next;
      if (r.max() != -1 && (exact || (r.max() - r.min() <= MAX_OPTIONAL && r.min() <= MAX_COUNT))) {
        // (x(x(x)?)?)?: each optional copy leads to the next one or, skipped, past them all.
        for (int k = 0; k < r.max() - r.min(); k++) {
          s = split(build(r.item(), s), next, r.lazy());
        }
      } else {
        // Unbounded, or a wide bound dropped (x{0,40} read as x*): the language only grows.
        relaxed |= !exact && (r.max() != -1 || r.min() > MAX_COUNT);
        int loop = split(-1, next, r.lazy());
        int body = build(r.item(), loop);
        (r.lazy() ? out1 : out).set(loop, body);
        s = loop;
      }
      // The required copies; for the DFAs, past MAX_COUNT the loop above stands in for the rest.
      for (int k = 0; k < (exact ? r.min() : Math.min(r.min(), MAX_COUNT)); k++) {
        s = build(r.item(), s);
      }
      return s;
    }

    byte[] ops() {
      byte[] a = new byte[op.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = op.get(i);
      }
      return a;
    }

    static int[] ints(List<Integer> list) {
      return list.stream().mapToInt(Integer::intValue).toArray();
    }
  }
}
