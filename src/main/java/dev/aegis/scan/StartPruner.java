package dev.aegis.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites an RE2 pattern for a match that must start with a given ASCII character: alternatives that cannot begin
 * with it are left out. RE2/J's anchored match spends most of its time on the first character, adding every
 * alternative of a large alternation to its thread list (a rule of a hundred phrases pays for a hundred threads to
 * read one character); with only the alternatives that can start there, the same match costs a few threads.
 *
 * <p>Leftmost-first results are unchanged: an alternative that cannot match from this start contributes no match,
 * and the ones kept keep their order. Only what is sure to be unmatched is cut: the first piece of a sequence (after
 * zero-width assertions) and alternatives whose possible first characters exclude it; repeated pieces, nullable
 * pieces and everything after them are kept as written. Syntax this reader does not model (case-insensitive flags,
 * flag-setting groups, {@code \Q..\E}, odd repeat bounds, octal escapes) gives no pruner ({@link #parse} returns null).
 *
 * <pre>{@code
 * StartPruner p = StartPruner.parse("\\b(steal\\w*|phish\\w*|mimikatz)");
 * p.pruneFor('p');   // "\\b(phish\\w*)"
 * p.pruneFor('x');   // null: nothing can match starting with 'x'
 * }</pre>
 */
final class StartPruner {
  private final Node root;

  private StartPruner(Node root) {
    this.root = root;
  }

  /** A pruner for {@code regex}, or null when it uses syntax this class does not model. */
  static StartPruner parse(String regex) {
    try {
      Reader r = new Reader(regex);
      Node n = r.alternation();
      if (r.at != regex.length()) {
        return null;
      }
      return new StartPruner(n);
    } catch (Unsupported e) {
      return null;
    }
  }

  /** The pattern for matches that start with {@code c} (ASCII), or null if none can. */
  String pruneFor(char c) {
    if (!root.nullable() && !root.canStart(c)) {
      return null;
    }
    return root.prune(c);
  }

  private static final class Unsupported extends RuntimeException {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  private interface Node {
    boolean nullable();

    /** Whether a non-empty match can begin with {@code c}. */
    boolean canStart(char c);

    /** Zero-width: an assertion such as {@code \b}, which reads no character. */
    default boolean zeroWidth() {
      return false;
    }

    /** This node for matches starting with {@code c}: text to compile, or null when it cannot match there. */
    String prune(char c);
  }

  /** One character set (or an assertion, when zero-width): {@code set} null means any character. */
  private record Atom(String source, boolean[] set, boolean zeroWidth) implements Node {
    @Override
    public boolean nullable() {
      return zeroWidth;
    }

    @Override
    public boolean canStart(char c) {
      return !zeroWidth && (set == null || set[c]);
    }

    @Override
    public String prune(char c) {
      return zeroWidth || canStart(c) ? source : null;
    }
  }

  /** A piece with a repeat operator: kept as written (its later rounds start with other characters). */
  private record Repeat(String source, Node inner, int min) implements Node {
    @Override
    public boolean nullable() {
      return min == 0 || inner.nullable();
    }

    @Override
    public boolean canStart(char c) {
      return inner.canStart(c);
    }

    @Override
    public String prune(char c) {
      return nullable() || canStart(c) ? source : null;
    }
  }

  /** A group: {@code open} is its opening text ({@code (}, {@code (?:}, {@code (?s:}, {@code (?P<n>}). */
  private record Group(String open, Node inner) implements Node {
    @Override
    public boolean nullable() {
      return inner.nullable();
    }

    @Override
    public boolean canStart(char c) {
      return inner.canStart(c);
    }

    @Override
    public boolean zeroWidth() {
      return inner.zeroWidth();
    }

    @Override
    public String prune(char c) {
      String p = inner.prune(c);
      return p == null ? null : open + p + ")";
    }
  }

  private record Concat(List<Node> pieces, List<String> sources) implements Node {
    @Override
    public boolean nullable() {
      for (Node p : pieces) {
        if (!p.nullable()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean canStart(char c) {
      for (Node p : pieces) {
        if (p.canStart(c)) {
          return true;
        }
        if (!p.nullable()) {
          return false;
        }
      }
      return false;
    }

    @Override
    public boolean zeroWidth() {
      for (Node p : pieces) {
        if (!p.zeroWidth()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String prune(char c) {
      StringBuilder sb = new StringBuilder();
      int i = 0;
      // Assertions read nothing, so the first character is the next piece's: prune up to and including that piece.
      for (; i < pieces.size(); i++) {
        Node p = pieces.get(i);
        String pruned = p.prune(c);
        if (pruned == null) {
          return null;
        }
        sb.append(pruned);
        if (!p.zeroWidth()) {
          i++;
          break;
        }
      }
      for (; i < pieces.size(); i++) {
        sb.append(sources.get(i));
      }
      return sb.toString();
    }
  }

  private record Alternation(List<Node> options) implements Node {
    @Override
    public boolean nullable() {
      for (Node o : options) {
        if (o.nullable()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean canStart(char c) {
      for (Node o : options) {
        if (o.canStart(c)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean zeroWidth() {
      for (Node o : options) {
        if (!o.zeroWidth()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String prune(char c) {
      StringBuilder sb = new StringBuilder();
      boolean any = false;
      for (Node o : options) {
        if (!o.nullable() && !o.canStart(c)) {
          continue;
        }
        String p = o.prune(c);
        if (p == null) {
          continue;
        }
        if (any) {
          sb.append('|');
        }
        sb.append(p);
        any = true;
      }
      return any ? sb.toString() : null;
    }
  }

  /** A recursive-descent reader of RE2 syntax, enough to know each piece's extent and first characters. */
  private static final class Reader {
    private static final int MAX_DEPTH = 200;
    private final String s;
    int at;
    private int depth;

    Reader(String s) {
      this.s = s;
    }

    Node alternation() {
      if (++depth > MAX_DEPTH) {
        throw new Unsupported();
      }
      List<Node> options = new ArrayList<>();
      options.add(concat());
      while (at < s.length() && s.charAt(at) == '|') {
        at++;
        options.add(concat());
      }
      depth--;
      return options.size() == 1 ? options.get(0) : new Alternation(options);
    }

    private Node concat() {
      List<Node> pieces = new ArrayList<>();
      List<String> sources = new ArrayList<>();
      while (at < s.length() && s.charAt(at) != '|' && s.charAt(at) != ')') {
        int from = at;
        Node piece = repeat(atom());
        pieces.add(piece);
        sources.add(s.substring(from, at));
      }
      return pieces.size() == 1 ? pieces.get(0) : new Concat(pieces, sources);
    }

    private Node repeat(Node atom) {
      int from = at - atomLength;
      Node n = atom;
      while (at < s.length()) {
        char c = s.charAt(at);
        int min;
        if (c == '*' || c == '?') {
          min = 0;
          at++;
        } else if (c == '+') {
          min = 1;
          at++;
        } else if (c == '{') {
          min = bound();
        } else {
          break;
        }
        if (at < s.length() && s.charAt(at) == '?') {
          at++;
        }
        if (n.zeroWidth()) {
          throw new Unsupported();
        }
        n = new Repeat(s.substring(from, at), n, min);
      }
      return n;
    }

    /** {@code {n}}, {@code {n,}} or {@code {n,m}} with plain decimal numbers; anything else is not modelled. */
    private int bound() {
      int close = s.indexOf('}', at);
      if (close < 0) {
        throw new Unsupported();
      }
      String body = s.substring(at + 1, close);
      String[] parts = body.split(",", -1);
      if (parts.length > 2 || !number(parts[0]) || (parts.length == 2 && !parts[1].isEmpty() && !number(parts[1]))) {
        throw new Unsupported();
      }
      at = close + 1;
      return Integer.parseInt(parts[0]);
    }

    private static boolean number(String t) {
      if (t.isEmpty() || t.length() > 4 || (t.length() > 1 && t.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < t.length(); i++) {
        if (t.charAt(i) < '0' || t.charAt(i) > '9') {
          return false;
        }
      }
      return true;
    }

    private int atomLength;

    private Node atom() {
      int from = at;
      Node n = atom0();
      atomLength = at - from;
      return n;
    }

    private Node atom0() {
      int from = at;
      char c = s.charAt(at);
      switch (c) {
        case '(' -> {
          at++;
          String open = "(";
          if (at < s.length() && s.charAt(at) == '?') {
            int colon = groupPrefixEnd();
            open = s.substring(from, colon + 1);
            at = colon + 1;
          }
          Node inner = alternation();
          if (at >= s.length() || s.charAt(at) != ')') {
            throw new Unsupported();
          }
          at++;
          return new Group(open, inner);
        }
        case '[' -> {
          boolean[] set = charClass();
          return new Atom(s.substring(from, at), set, false);
        }
        case '.' -> {
          at++;
          return new Atom(".", null, false);
        }
        case '^', '$' -> {
          at++;
          return new Atom(String.valueOf(c), null, true);
        }
        case '\\' -> {
          return escape(from);
        }
        case '*', '+', '?', '{' -> throw new Unsupported();
        default -> {
          at++;
          if (Character.isHighSurrogate(c) && at < s.length() && Character.isLowSurrogate(s.charAt(at))) {
            at++;
          }
          return new Atom(s.substring(from, at), c < 128 ? single(c) : new boolean[128], false);
        }
      }
    }

    /** The index of the ':' that ends a group's prefix ({@code ?:}, {@code ?s:}, {@code ?P<name>} ends at '>'). */
    private int groupPrefixEnd() {
      int i = at + 1;
      if (i < s.length() && (s.charAt(i) == 'P' || s.charAt(i) == '<')) {
        int gt = s.indexOf('>', i);
        if (gt < 0) {
          throw new Unsupported();
        }
        return gt;
      }
      while (i < s.length() && s.charAt(i) != ':') {
        char f = s.charAt(i);
        if (f != 's' && f != 'm' && f != 'U' && f != '-') {
          throw new Unsupported();
        }
        i++;
      }
      if (i >= s.length()) {
        throw new Unsupported();
      }
      return i;
    }

    private Node escape(int from) {
      if (at + 1 >= s.length()) {
        throw new Unsupported();
      }
      char e = s.charAt(at + 1);
      at += 2;
      String src = s.substring(from, at);
      switch (e) {
        case 'b', 'B', 'A', 'z' -> {
          return new Atom(src, null, true);
        }
        case 'w', 'd', 's' -> {
          return new Atom(src, classEscape(e), false);
        }
        case 'W', 'D', 'S' -> {
          return new Atom(src, null, false);
        }
        case 'n', 't', 'r', 'f', 'v' -> {
          return new Atom(src, single(control(e)), false);
        }
        case 'p', 'P', 'x' -> {
          if (at < s.length() && s.charAt(at) == '{') {
            int close = s.indexOf('}', at);
            if (close < 0) {
              throw new Unsupported();
            }
            at = close + 1;
          } else {
            at += e == 'x' ? 2 : 1;
            if (at > s.length()) {
              throw new Unsupported();
            }
          }
          return new Atom(s.substring(from, at), null, false);
        }
        default -> {
          if (e < 128 && !Character.isLetterOrDigit(e)) {
            return new Atom(src, single(e), false);
          }
          throw new Unsupported();
        }
      }
    }

    /** Reads {@code [...]}; a negated class or one with parts not modelled reads as any character. */
    private boolean[] charClass() {
      at++;
      boolean negated = at < s.length() && s.charAt(at) == '^';
      if (negated) {
        at++;
      }
      boolean[] set = new boolean[128];
      boolean any = false;
      boolean first = true;
      while (true) {
        if (at >= s.length()) {
          throw new Unsupported();
        }
        char c = s.charAt(at);
        if (c == ']' && !first) {
          at++;
          break;
        }
        first = false;
        if (c == '[' && at + 1 < s.length() && s.charAt(at + 1) == ':') {
          int close = s.indexOf(":]", at + 2);
          if (close < 0) {
            throw new Unsupported();
          }
          at = close + 2;
          any = true;
          continue;
        }
        int lo;
        if (c == '\\') {
          if (at + 1 >= s.length()) {
            throw new Unsupported();
          }
          char e = s.charAt(at + 1);
          at += 2;
          if (e == 'w' || e == 'd' || e == 's') {
            boolean[] k = classEscape(e);
            for (int i = 0; i < 128; i++) {
              set[i] |= k[i];
            }
            continue;
          }
          if (e == 'n' || e == 't' || e == 'r' || e == 'f' || e == 'v') {
            lo = control(e);
          } else if (e < 128 && !Character.isLetterOrDigit(e)) {
            lo = e;
          } else {
            if (e == 'p' || e == 'P' || e == 'x') {
              throw new Unsupported();
            }
            any = true;
            continue;
          }
        } else {
          lo = c;
          at++;
          if (Character.isHighSurrogate(c) && at < s.length() && Character.isLowSurrogate(s.charAt(at))) {
            at++;
            any = true;
            continue;
          }
        }
        int hi = lo;
        if (at + 1 < s.length() && s.charAt(at) == '-' && s.charAt(at + 1) != ']') {
          char h = s.charAt(at + 1);
          if (h == '\\' || h == '[') {
            throw new Unsupported();
          }
          hi = h;
          at += 2;
        }
        for (int i = lo; i <= hi && i < 128; i++) {
          set[i] = true;
        }
      }
      return negated || any ? null : set;
    }

    private static char control(char e) {
      return switch (e) {
        case 'n' -> '\n';
        case 't' -> '\t';
        case 'r' -> '\r';
        case 'f' -> '\f';
        default -> '\u000B';
      };
    }

    private static boolean[] single(char c) {
      boolean[] set = new boolean[128];
      set[c] = true;
      return set;
    }

    private static boolean[] classEscape(char e) {
      boolean[] set = new boolean[128];
      for (int i = 0; i < 128; i++) {
        set[i] = switch (e) {
          case 'w' -> (i >= '0' && i <= '9') || (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') || i == '_';
          case 'd' -> i >= '0' && i <= '9';
          default -> i == ' ' || i == '\t' || i == '\n' || i == '\f' || i == '\r' || i == 0x0B;
        };
      }
      return set;
    }
  }
}
