package dev.aegis.scan;

import com.google.re2j.Matcher;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
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
      indexes.put(s, new Index(patterns));
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
  void scan(String raw, String pointer, Surface surface, List<Finding> out) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    if (raw.length() > MAX_FIELD_CHARS) {
      Rule size = detector("size", surface);
      if (size != null) {
        out.add(new Finding(size.id(), size.severityOn(surface), pointer, raw.length() + " characters",
            size.message() + " (only the first " + MAX_FIELD_CHARS + " characters were scanned)"));
      }
      raw = raw.substring(0, MAX_FIELD_CHARS);
    }
    Detectors.raw(this, raw, pointer, surface, out);
    Index index = indexes.get(surface);
    List<Views.View> views = Views.of(raw);
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

  private static boolean lowered(Rule rule, String text, int from, int to) {
    for (Rule.Unless u : rule.unless()) {
      if (u.quoted() && !quoted(text, from, to)) {
        continue;
      }
      if (u.pattern().matcher(CharBuffer.wrap(text, Math.max(0, from - UNLESS_REACH),
          Math.min(text.length(), to + UNLESS_REACH))).find()) {
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

  /** A trigger with punctuation or non-Latin letters, found by substring search. */
  private record Substring(String text, int rule, boolean ascii) {}

  /** The pattern rules of one surface, indexed by trigger. */
  private static final class Index {
    private final Rule[] rules;
    private final Map<String, int[]> words = new HashMap<>();
    private final Map<Long, List<Prefix>> prefixes = new HashMap<>();
    private final List<Substring> substrings = new ArrayList<>();
    private final int[] always;
    /** word → pairs (rule, group) of the rules' {@code requires}; prefixes keyed by their first four letters. */
    private final Map<String, int[]> required = new HashMap<>();
    private final Map<Long, List<Prefix>> requiredPrefixes = new HashMap<>();
    private final long[] fullMask;

    Index(List<Rule> list) {
      rules = list.toArray(Rule[]::new);
      fullMask = new long[rules.length];
      Map<String, List<Integer>> req = new HashMap<>();
      for (int i = 0; i < rules.length; i++) {
        List<List<String>> groups = rules[i].requires();
        fullMask[i] = groups.isEmpty() ? 0 : (1L << groups.size()) - 1;
        for (int g = 0; g < groups.size(); g++) {
          for (String word : groups.get(g)) {
            if (word.endsWith("*") && word.length() > 4) {
              String stem = word.substring(0, word.length() - 1);
              requiredPrefixes.computeIfAbsent(pack(stem, 0), k -> new ArrayList<>()).add(new Prefix(stem, i, g));
            } else {
              String w = word.endsWith("*") ? word.substring(0, word.length() - 1) : word;
              List<Integer> pairs = req.computeIfAbsent(w, k -> new ArrayList<>());
              pairs.add(i);
              pairs.add(g);
            }
          }
        }
      }
      req.forEach((k, v) -> required.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
      List<Integer> alwaysList = new ArrayList<>();
      Map<String, List<Integer>> w = new HashMap<>();
      for (int i = 0; i < rules.length; i++) {
        Rule r = rules[i];
        if (r.triggers().isEmpty()) {
          alwaysList.add(i);
        }
        for (String t : r.triggers()) {
          if (t.endsWith("*")) {
            String stem = t.substring(0, t.length() - 1);
            if (stem.length() < 4) {
              w.computeIfAbsent(stem, k -> new ArrayList<>()).add(i);
              continue;
            }
            prefixes.computeIfAbsent(pack(stem, 0), k -> new ArrayList<>()).add(new Prefix(stem, i, -1));
          } else if (!isWordTrigger(t)) {
            substrings.add(new Substring(t, i, isAsciiTrigger(t)));
          } else {
            w.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
          }
        }
      }
      w.forEach((k, v) -> words.put(k, v.stream().mapToInt(Integer::intValue).distinct().toArray()));
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

    private static long pack(CharSequence s, int from) {
      return ((long) s.charAt(from) << 48) | ((long) s.charAt(from + 1) << 32) | ((long) s.charAt(from + 2) << 16)
          | s.charAt(from + 3);
    }

    void run(Views.View view, String pointer, Surface surface, List<Finding> out) {
      String text = view.text();
      if (view.squashed()) {
        for (Rule r : rules) {
          if (r.squashed()) {
            match(r, text, new int[] {0, text.length()}, 2, view, pointer, surface, out);
          }
        }
        return;
      }
      int n = text.length();
      int[][] hits = new int[rules.length][];
      int[] hitCount = new int[rules.length];
      long[] have = new long[rules.length];
      boolean nonAscii = false;
      int i = 0;
      while (i < n) {
        char c = text.charAt(i);
        if (!isAsciiWord(c)) {
          nonAscii |= c >= 0x80;
          i++;
          continue;
        }
        int start = i;
        while (i < n && isAsciiWord(text.charAt(i))) {
          i++;
        }
        String token = text.substring(start, i);
        int[] need = required.get(token);
        if (need != null) {
          for (int k = 0; k < need.length; k += 2) {
            have[need[k]] |= 1L << need[k + 1];
          }
        }
        int[] exact = words.get(token);
        if (exact != null) {
          for (int r : exact) {
            addHit(hits, hitCount, r, start, i);
          }
        }
        if (i - start >= 4) {
          long key = pack(text, start);
          for (Prefix p : requiredPrefixes.getOrDefault(key, List.of())) {
            if (token.startsWith(p.stem())) {
              have[p.rule()] |= 1L << p.group();
            }
          }
          for (Prefix p : prefixes.getOrDefault(key, List.of())) {
            if (token.startsWith(p.stem())) {
              addHit(hits, hitCount, p.rule(), start, i);
            }
          }
        }
      }
      for (Substring sub : substrings) {
        int at = sub.ascii() || nonAscii ? text.indexOf(sub.text()) : -1;
        if (at >= 0) {
          addHit(hits, hitCount, sub.rule(), at, at + sub.text().length());
        }
      }
      for (int r : always) {
        if (rules[r].squashed() || (have[r] & fullMask[r]) != fullMask[r]) {
          continue;
        }
        match(rules[r], text, new int[] {0, n}, 2, view, pointer, surface, out);
      }
      for (int r = 0; r < rules.length; r++) {
        if (hitCount[r] > 0 && (have[r] & fullMask[r]) == fullMask[r]) {
          int[] windows = windows(hits[r], hitCount[r], rules[r].window(), n);
          match(rules[r], text, windows, windows.length, view, pointer, surface, out);
        }
      }
    }

    private static boolean isAsciiTrigger(String t) {
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

    private static void match(Rule rule, String text, int[] windows, int length, Views.View view, String pointer,
        Surface surface, List<Finding> out) {
      Finding quoted = null;
      for (int w = 0; w + 1 < length; w += 2) {
        CharBuffer region = CharBuffer.wrap(text, windows[w], windows[w + 1]);
        Matcher m = rule.pattern().matcher(region);
        int tries = 0;
        while (m.find() && tries++ < 4) {
          int from = windows[w] + m.start();
          int to = windows[w] + m.end();
          String message = view.label() == null ? rule.message() : rule.message() + " (hidden as " + view.label() + ")";
          Finding f = new Finding(rule.id(), rule.severityOn(surface), pointer, excerpt(text, from, to), message);
          if (lowered(rule, text, from, to)) {
            if (quoted == null) {
              quoted = f.withSeverity(Severity.INFO, "quoted or discussed, not addressed to the model");
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
