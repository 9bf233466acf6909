package dev.aegis.scan;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link RuleSet} over one string. Each string is read in every {@link Views view} (folded, and decoded
 * where something is hidden); a pattern rule runs only in windows of {@link Rule#window()} characters around its
 * trigger words, so the cost is one pass to find words plus bounded regex work near them. Detectors run on the raw
 * text. Thread-safe and immutable once built.
 *
 * <pre>{@code new TextEngine(RuleSet.builtIn()).scan(text, "/description", Surface.DEFINITION, findings); }</pre>
 */
final class TextEngine {
  /** Longest string examined; the rest is reported by the {@code size} detector and not scanned. */
  static final int MAX_FIELD_CHARS = 512 * 1024;
  private static final int MAX_WINDOWS = 64;
  private static final int MAX_EXCERPT = 160;
  private static final int UNLESS_REACH = 160;

  private final Map<Surface, Index> indexes = new EnumMap<>(Surface.class);
  private final Map<String, Rule> detectors = new HashMap<>();
  private final Map<Surface, Map<String, Rule>> detectorsBySurface = new EnumMap<>(Surface.class);

  TextEngine(RuleSet rules) {
    Map<Pattern, Finder> finders = new IdentityHashMap<>();
    for (Rule r : rules.rules()) {
      if (r.pattern() != null) {
        finders.computeIfAbsent(r.pattern(), Finder::of);
      }
      for (Rule.Unless u : r.unless()) {
        finders.computeIfAbsent(u.pattern(), Finder::of);
      }
    }
    for (Surface s : Surface.values()) {
      List<Rule> patterns = new ArrayList<>();
      Map<String, Rule> dets = new HashMap<>();
      for (Rule r : rules.rules()) {
        if (!r.appliesTo(s)) {
          continue;
        }
        if (r.pattern() != null) {
          patterns.add(r);
        } else {
          dets.putIfAbsent(r.detector(), r);
        }
      }
      indexes.put(s, new Index(patterns, finders));
      detectorsBySurface.put(s, dets);
    }
    for (Rule r : rules.rules()) {
      if (r.detector() != null) {
        detectors.putIfAbsent(r.detector(), r);
      }
    }
  }

  /** The detector rule named {@code name} for {@code surface}, or null if none is enabled there. */
  Rule detector(String name, Surface surface) {
    return detectorsBySurface.get(surface).get(name);
  }

  /** Adds the findings for {@code raw} (found at {@code pointer}) to {@code out}. */
  void scan(String raw, CharSequence pointer, Surface surface, List<Finding> out) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    if (raw.length() > MAX_FIELD_CHARS) {
      Rule size = detector("size", surface);
      if (size != null) {
        out.add(new Finding(size.id(), size.severityOn(surface), pointer.toString(), raw.length() + " characters",
            size.message() + " (only the first " + MAX_FIELD_CHARS + " characters were scanned)"));
      }
      raw = raw.substring(0, MAX_FIELD_CHARS);
    }
    int ascii = Fold.asciiPrefix(raw);
    if (ascii < raw.length()) {
      Detectors.raw(this, raw, pointer, surface, out);
    }
    Index index = indexes.get(surface);
    List<Views.View> views = Views.of(raw, ascii);
    for (Views.View view : views) {
      if (view.squashed()) {
        index.run(view, pointer, surface, out);
        continue;
      }
      if (view.label() != null) {
        Detectors.decoded(this, view, pointer, surface, out);
      }
      Detectors.comments(this, view, pointer, surface, out);
      index.run(view, pointer, surface, out);
    }
  }

  static String excerpt(CharSequence text, int from, int to) {
    int end = Math.min(to, from + MAX_EXCERPT);
    StringBuilder sb = new StringBuilder(end - from + 8);
    for (int i = from; i < end; i++) {
      if (sb.length() >= 2 * MAX_EXCERPT) {
        end = i;
        break;
      }
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' || c == '\t') {
        sb.append(' ');
      } else if (c < 0x20 || Fold.invisible(c) || Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < end) {
          sb.append(String.format("\\u{%X}", Character.toCodePoint(c, text.charAt(++i))));
        } else {
          sb.append(String.format("\\u{%X}", (int) c));
        }
      } else {
        sb.append(c);
      }
    }
    if (end < to) {
      sb.append('…');
    }
    return sb.toString();
  }

  private static boolean lowered(Rule rule, String text, char[] chars, int from, int to,
      Map<Pattern, Finder> finders) {
    for (Rule.Unless u : rule.unless()) {
      if (u.quoted() && !quoted(text, from, to)) {
        continue;
      }
      int start = Math.max(0, from - UNLESS_REACH);
      int end = Math.min(text.length(), to + UNLESS_REACH);
      if (finders.get(u.pattern()).occursIn(text, chars, start, end)) {
        return true;
      }
    }
    return false;
  }

  /** A quote mark shortly before the match and another after its start: the phrase is cited, not said. */
  static boolean quoted(String text, int from, int to) {
    int open = -1;
    for (int i = from - 1; i >= Math.max(0, from - 3); i--) {
      if (isQuote(text.charAt(i))) {
        open = i;
        break;
      }
    }
    if (open < 0) {
      return false;
    }
    for (int i = from; i < Math.min(text.length(), to + 80); i++) {
      if (isQuote(text.charAt(i)) && i > from) {
        return true;
      }
    }
    return false;
  }

  private static boolean isQuote(char c) {
    return c == '\'' || c == '"' || c == '`' || c == '\u2018' || c == '\u2019' || c == '\u201C' || c == '\u201D'
        || c == '\u00AB' || c == '\u00BB';
  }

  /** A word stem of four or more letters ({@code exfiltrat*}) of rule {@code rule} ({@code group} of its requires). */
  private record Prefix(String stem, int rule, int group) {}

  /**
   * A trigger with punctuation or non-Latin letters, found by substring search; {@code id} numbers them. ASCII ones
   * are found through their first punctuation character, {@code anchor} characters into them.
   */
  private record Substring(String text, int rule, int id, int anchor) {}

  /** Strings → small ints, looked up straight from a range of a text, without allocating. */
  static final class WordTable {
    private final String[] words;
    /** Pairs (hash, id + 1) by slot; id + 1 = 0 marks an empty slot. One array, so a miss costs one cache line. */
    private final int[] slots;
    private final int mask;

    WordTable(List<String> list) {
      words = list.toArray(String[]::new);
      int size = Integer.highestOneBit(Math.max(4, words.length * 3)) * 2;
      slots = new int[size * 2];
      mask = size - 1;
      for (int id = 0; id < words.length; id++) {
        int h = rawHash(words[id], 0, words[id].length());
        int slot = mix(h) & mask;
        while (slots[2 * slot + 1] != 0) {
          slot = (slot + 1) & mask;
        }
        slots[2 * slot] = h;
        slots[2 * slot + 1] = id + 1;
      }
    }

    /** The id of {@code text[from, to)}, or -1. */
    int get(String text, int from, int to) {
      return get(text, from, to, rawHash(text, from, to));
    }

    /** The id of {@code text[from, to)} whose {@link #rawHash} the caller computed while reading it, or -1. */
    int get(String text, int from, int to, int rawHash) {
      int slot = mix(rawHash) & mask;
      while (true) {
        int id = slots[2 * slot + 1] - 1;
        if (id < 0) {
          return -1;
        }
        if (slots[2 * slot] == rawHash) {
          String k = words[id];
          if (k.length() == to - from && text.regionMatches(from, k, 0, k.length())) {
            return id;
          }
        }
        slot = (slot + 1) & mask;
      }
    }

    /** {@code h = 31 * h + c} over the characters, as {@link String#hashCode} does. */
    static int rawHash(String s, int from, int to) {
      int h = 0;
      for (int i = from; i < to; i++) {
        h = 31 * h + s.charAt(i);
      }
      return h;
    }

    private static int mix(int h) {
      return h ^ (h >>> 15) ^ (h >>> 7);
    }
  }

  /** The pattern rules of one surface, indexed by trigger. */
  private static final class Index {
    private static final int[] NONE = {};
    private static final Prefix[] NO_PREFIXES = {};
    private final Rule[] rules;
    /** Per rule, how its pattern is searched. */
    private final Finder[] finders;
    /** Whole words: triggers and {@code requires} words. */
    private final WordTable words;
    /** Per word id: the rules it triggers; and pairs (rule, group) of the rules' {@code requires} it satisfies. */
    private final int[][] triggered;
    private final int[][] satisfied;
    /** Word stems of four or more letters, keyed by their first four letters. */
    private final WordTable stems;
    private final Prefix[][] triggerStems;
    private final Prefix[][] requiredStems;
    /** ASCII substring triggers by their anchor character; the others by their first character. */
    private final char[] anchors;
    private final Substring[][] byAnchor;
    /** Per ASCII character: the bit of its index in {@link #anchors}, or 0. */
    private final long[] anchorBit = new long[128];
    private final Map<Character, Substring[]> otherFirst = new HashMap<>();
    private final boolean[] otherFirstSeen = new boolean[0x10000];
    /** Every non-ASCII substring trigger starts with a non-ASCII character (the word loop then sees them all). */
    private final boolean otherFirstNonAscii;
    private final int substringCount;
    private final int[] always;
    private final long[] fullMask;
    private final ThreadLocal<Hits> scratch = ThreadLocal.withInitial(Hits::new);
    /** Finders of every rule and {@code unless} pattern. */
    private final Map<Pattern, Finder> byPattern;

    Index(List<Rule> list, Map<Pattern, Finder> byPattern) {
      this.byPattern = byPattern;
      rules = list.toArray(Rule[]::new);
      finders = new Finder[rules.length];
      fullMask = new long[rules.length];
      Map<String, List<Integer>> trig = new HashMap<>();
      Map<String, List<Integer>> req = new HashMap<>();
      Map<String, List<Prefix>> trigStems = new HashMap<>();
      Map<String, List<Prefix>> reqStems = new HashMap<>();
      List<Substring> subs = new ArrayList<>();
      List<Integer> alwaysList = new ArrayList<>();
      for (int i = 0; i < rules.length; i++) {
        Rule r = rules[i];
        finders[i] = byPattern.get(r.pattern());
        List<List<String>> groups = r.requires();
        fullMask[i] = groups.isEmpty() ? 0 : (1L << groups.size()) - 1;
        for (int g = 0; g < groups.size(); g++) {
          for (String word : groups.get(g)) {
            if (word.endsWith("*") && word.length() > 4) {
              String stem = word.substring(0, word.length() - 1);
              reqStems.computeIfAbsent(stem.substring(0, 4), k -> new ArrayList<>()).add(new Prefix(stem, i, g));
            } else {
              String w = word.endsWith("*") ? word.substring(0, word.length() - 1) : word;
              List<Integer> pairs = req.computeIfAbsent(w, k -> new ArrayList<>());
              pairs.add(i);
              pairs.add(g);
            }
          }
        }
        if (r.triggers().isEmpty()) {
          alwaysList.add(i);
        }
        for (String t : r.triggers()) {
          if (t.endsWith("*")) {
            String stem = t.substring(0, t.length() - 1);
            if (stem.length() < 4) {
              trig.computeIfAbsent(stem, k -> new ArrayList<>()).add(i);
            } else {
              trigStems.computeIfAbsent(stem.substring(0, 4), k -> new ArrayList<>()).add(new Prefix(stem, i, -1));
            }
          } else if (!isWordTrigger(t)) {
            int anchor = 0;
            while (anchor < t.length() && isAsciiWord(t.charAt(anchor))) {
              anchor++;
            }
            subs.add(new Substring(t, i, subs.size(), isAscii(t) ? anchor : -1));
          } else {
            trig.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
          }
        }
      }
      List<String> wordList = new ArrayList<>(trig.keySet());
      req.keySet().stream().filter(w -> !trig.containsKey(w)).forEach(wordList::add);
      words = new WordTable(wordList);
      triggered = new int[wordList.size()][];
      satisfied = new int[wordList.size()][];
      for (int id = 0; id < wordList.size(); id++) {
        String w = wordList.get(id);
        triggered[id] = trig.getOrDefault(w, List.of()).stream().mapToInt(Integer::intValue).distinct().toArray();
        satisfied[id] = req.getOrDefault(w, List.of()).stream().mapToInt(Integer::intValue).toArray();
      }
      List<String> stemList = new ArrayList<>(trigStems.keySet());
      reqStems.keySet().stream().filter(k -> !trigStems.containsKey(k)).forEach(stemList::add);
      stems = new WordTable(stemList);
      triggerStems = new Prefix[stemList.size()][];
      requiredStems = new Prefix[stemList.size()][];
      for (int id = 0; id < stemList.size(); id++) {
        triggerStems[id] = trigStems.getOrDefault(stemList.get(id), List.of()).toArray(Prefix[]::new);
        requiredStems[id] = reqStems.getOrDefault(stemList.get(id), List.of()).toArray(Prefix[]::new);
      }
      Map<Character, List<Substring>> byFirst = new HashMap<>();
      Map<Character, List<Substring>> anchored = new HashMap<>();
      for (Substring sub : subs) {
        if (sub.anchor() >= 0) {
          anchored.computeIfAbsent(sub.text().charAt(sub.anchor()), k -> new ArrayList<>()).add(sub);
        } else {
          byFirst.computeIfAbsent(sub.text().charAt(0), k -> new ArrayList<>()).add(sub);
        }
      }
      anchors = new char[anchored.size()];
      byAnchor = new Substring[anchored.size()][];
      int a = 0;
      if (anchored.size() > 64) {
        throw new IllegalStateException("over 64 anchor characters for substring triggers: " + anchored.keySet());
      }
      for (Map.Entry<Character, List<Substring>> e : anchored.entrySet()) {
        anchors[a] = e.getKey();
        anchorBit[e.getKey()] = 1L << a;
        byAnchor[a++] = e.getValue().toArray(Substring[]::new);
      }
      byFirst.forEach((c, l) -> {
        otherFirst.put(c, l.toArray(Substring[]::new));
        otherFirstSeen[c] = true;
      });
      substringCount = subs.size();
      otherFirstNonAscii = byFirst.keySet().stream().allMatch(c -> c >= 0x80);
      always = alwaysList.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean isWordTrigger(String t) {
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
          return false;
        }
      }
      return true;
    }

    /**
     * Per-run scratch, kept per thread and cleared between runs (only the rules a run touched): windows per rule and
     * which {@code requires} groups were seen.
     */
    private final class Hits {
      final int[][] at = new int[rules.length][];
      final int[] count = new int[rules.length];
      final long[] have = new long[rules.length];
      final int[] touched = new int[rules.length];
      int touchedCount;
      boolean any;
      final boolean[] substringSeen = new boolean[substringCount];
      boolean anySubstring;
      /** Texts up to this long are copied into {@link #chars}; a longer one gets an array of its own. */
      private static final int KEPT_CHARS = 64 * 1024;
      /** The current text's chars (only its first length() are this text's); reused from run to run. */
      private char[] chars = new char[256];

      char[] chars(String text) {
        int n = text.length();
        if (n > KEPT_CHARS) {
          return text.toCharArray();
        }
        if (chars.length < n) {
          chars = new char[Math.min(KEPT_CHARS, Math.max(n, chars.length * 2))];
        }
        text.getChars(0, n, chars, 0);
        return chars;
      }

      void clear() {
        for (int i = 0; i < touchedCount; i++) {
          count[touched[i]] = 0;
          have[touched[i]] = 0;
        }
        touchedCount = 0;
        any = false;
        if (anySubstring) {
          Arrays.fill(substringSeen, false);
          anySubstring = false;
        }
      }

      private void touch(int rule) {
        if (count[rule] == 0 && have[rule] == 0) {
          touched[touchedCount++] = rule;
        }
      }

      void add(int rule, int start, int end) {
        touch(rule);
        any = true;
        addHit(at, count, rule, start, end);
      }

      void need(int rule, int group) {
        touch(rule);
        have[rule] |= 1L << group;
      }

      boolean satisfied(int rule) {
        return (have[rule] & fullMask[rule]) == fullMask[rule];
      }
    }

    void run(Views.View view, CharSequence pointer, Surface surface, List<Finding> out) {
      String text = view.text();
      if (view.squashed()) {
        for (int r = 0; r < rules.length; r++) {
          if (rules[r].squashed()) {
            match(rules[r], finders[r], text, null, new int[] {0, text.length()}, 2, view, pointer, surface, out);
          }
        }
        return;
      }
      int n = text.length();
      Hits hits = scratch.get();
      hits.clear();
      boolean nonAscii = false;
      // Which substring anchors occur (bit a: anchors[a]), and whether a character that starts a non-ASCII
      // substring trigger does: every such character is a non-word one, so this loop sees each of them.
      long anchorsSeen = 0;
      boolean otherSeen = false;
      int i = 0;
      while (i < n) {
        char c = text.charAt(i);
        if (!isAsciiWord(c)) {
          if (c < 0x80) {
            anchorsSeen |= anchorBit[c];
          } else {
            nonAscii = true;
            otherSeen |= otherFirstSeen[c];
          }
          i++;
          continue;
        }
        int start = i;
        int h = 0;
        int h4 = 0;
        while (i < n && isAsciiWord(c = text.charAt(i))) {
          h = 31 * h + c;
          if (++i - start == 4) {
            h4 = h;
          }
        }
        int id = words.get(text, start, i, h);
        if (id >= 0) {
          int[] need = satisfied[id];
          for (int k = 0; k < need.length; k += 2) {
            hits.need(need[k], need[k + 1]);
          }
          for (int r : triggered[id]) {
            hits.add(r, start, i);
          }
        }
        if (i - start >= 4) {
          int key = stems.get(text, start, start + 4, h4);
          if (key >= 0) {
            for (Prefix p : requiredStems[key]) {
              if (text.startsWith(p.stem(), start) && p.stem().length() <= i - start) {
                hits.need(p.rule(), p.group());
              }
            }
            for (Prefix p : triggerStems[key]) {
              if (text.startsWith(p.stem(), start) && p.stem().length() <= i - start) {
                hits.add(p.rule(), start, i);
              }
            }
          }
        }
      }
      if (!otherFirstNonAscii) {
        otherSeen = nonAscii;
      }
      if (anchorsSeen != 0 || otherSeen) {
        substrings(text, anchorsSeen, otherSeen, hits);
      }
      if (always.length == 0 && !hits.any) {
        return;
      }
      char[] chars = hits.chars(text);
      for (int r : always) {
        if (!rules[r].squashed() && hits.satisfied(r)) {
          match(rules[r], finders[r], text, chars, new int[] {0, n}, 2, view, pointer, surface, out);
        }
      }
      if (!hits.any) {
        return;
      }
      for (int r = 0; r < rules.length; r++) {
        if (hits.count[r] > 0 && hits.satisfied(r)) {
          int[] windows = windows(hits.at[r], hits.count[r], rules[r].window(), n);
          match(rules[r], finders[r], text, chars, windows, windows.length, view, pointer, surface, out);
        }
      }
    }

    /**
     * The first place each substring trigger occurs (as indexOf would find it). {@code anchorsSeen}: the anchors
     * that occur in the text (the others would find nothing); {@code otherSeen}: whether a first character of a
     * non-ASCII trigger occurs.
     */
    private void substrings(String text, long anchorsSeen, boolean otherSeen, Hits hits) {
      for (int a = 0; a < anchors.length; a++) {
        if ((anchorsSeen & (1L << a)) == 0) {
          continue;
        }
        for (int at = text.indexOf(anchors[a]); at >= 0; at = text.indexOf(anchors[a], at + 1)) {
          for (Substring sub : byAnchor[a]) {
            int begin = at - sub.anchor();
            if (begin >= 0 && text.startsWith(sub.text(), begin)) {
              found(sub, begin, hits);
            }
          }
        }
      }
      if (!otherSeen) {
        return;
      }
      int n = text.length();
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        if (!otherFirstSeen[c]) {
          continue;
        }
        for (Substring sub : otherFirst.get(c)) {
          if (text.startsWith(sub.text(), i)) {
            found(sub, i, hits);
          }
        }
      }
    }

    private void found(Substring sub, int at, Hits hits) {
      if (!hits.substringSeen[sub.id()]) {
        hits.substringSeen[sub.id()] = true;
        hits.anySubstring = true;
        hits.add(sub.rule(), at, at + sub.text().length());
      }
    }

    private static boolean isAscii(String t) {
      for (int i = 0; i < t.length(); i++) {
        if (t.charAt(i) >= 0x80) {
          return false;
        }
      }
      return true;
    }

    private static boolean isAsciiWord(char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static void addHit(int[][] hits, int[] count, int rule, int start, int end) {
      int[] h = hits[rule];
      if (h == null) {
        h = hits[rule] = new int[8];
      }
      if (count[rule] * 2 >= MAX_WINDOWS * 2) {
        return;
      }
      if (count[rule] * 2 + 2 > h.length) {
        h = hits[rule] = Arrays.copyOf(h, h.length * 2);
      }
      h[count[rule] * 2] = start;
      h[count[rule] * 2 + 1] = end;
      count[rule]++;
    }

    /** Merged [from, to) windows around each hit; hits arrive in text order. */
    private static int[] windows(int[] hit, int count, int reach, int n) {
      int[] w = new int[count * 2];
      int k = 0;
      for (int i = 0; i < count; i++) {
        int from = Math.max(0, hit[2 * i] - reach);
        int to = Math.min(n, hit[2 * i + 1] + reach);
        if (k > 0 && from <= w[k - 1]) {
          w[k - 1] = Math.max(w[k - 1], to);
        } else {
          w[k++] = from;
          w[k++] = to;
        }
      }
      return Arrays.copyOf(w, k);
    }

    /** {@code chars}: the text's chars (the prefilters read an array faster than a string), or null. */
    private void match(Rule rule, Finder finder, String text, char[] chars, int[] windows, int length,
        Views.View view, CharSequence pointer, Surface surface, List<Finding> out) {
      Finding quoted = null;
      for (int w = 0; w + 1 < length; w += 2) {
        int start = windows[w];
        int end = windows[w + 1];
        int at = start;
        for (int tries = 0; tries < 4; tries++) {
          int[] m = finder.find(text, chars, start, end, at);
          if (m == null) {
            break;
          }
          int from = m[0];
          int to = m[1];
          String message = view.label() == null ? rule.message() : rule.message() + " (hidden as " + view.label() + ")";
          Finding f = new Finding(rule.id(), rule.severityOn(surface), pointer.toString(), excerpt(text, from, to),
              message);
          if (lowered(rule, text, chars, from, to, byPattern)) {
            if (quoted == null) {
              quoted = f.withSeverity(Severity.INFO, "quoted or discussed, not addressed to the model");
            }
            at = to > from ? to : to + 1;
            if (at > end) {
              break;
            }
            continue;
          }
          out.add(f);
          return;
        }
      }
      if (quoted != null) {
        out.add(quoted);
      }
    }
  }
}
