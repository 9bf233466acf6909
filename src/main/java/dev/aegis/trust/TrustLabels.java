package dev.aegis.trust;

import dev.aegis.config.AccessConfig;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each tool is, from the {@code trust:} section: a source of untrusted content (a web fetcher, an email reader), a
 * source of private data, a public sink (sends data out), or destructive. Patterns are {@code server} (every tool of
 * it) or {@code server/tool}, with {@code *} as a wildcard.
 *
 * <pre>{@code
 * TrustLabels labels = TrustLabels.from(config.access().trust());
 * Set<TrustLabels.Label> l = labels.of("mail", "send_email");   // [PUBLIC_SINK]
 * }</pre>
 */
public final class TrustLabels {
  /** What a tool is, for flow rules. */
  public enum Label {
    /** Its results are untrusted content: they may carry instructions from whoever wrote them. */
    UNTRUSTED,
    /** Its results are private data. */
    PRIVATE,
    /** It sends data out of the user's control (mail, posts, uploads). */
    PUBLIC_SINK,
    /** It destroys or changes things. */
    DESTRUCTIVE
  }

  private final List<Rule> rules = new ArrayList<>();
  private final Map<String, Set<Label>> cache = new ConcurrentHashMap<>();

  private record Rule(String server, String tool, Label label) {}

  private TrustLabels() {}

  public static TrustLabels from(AccessConfig.Trust trust) {
    TrustLabels t = new TrustLabels();
    t.add(trust.untrusted(), Label.UNTRUSTED);
    t.add(trust.privateSources(), Label.PRIVATE);
    t.add(trust.publicSinks(), Label.PUBLIC_SINK);
    t.add(trust.destructive(), Label.DESTRUCTIVE);
    return t;
  }

  private void add(List<String> patterns, Label label) {
    for (String p : patterns) {
      int slash = p.indexOf('/');
      rules.add(new Rule(slash < 0 ? p : p.substring(0, slash), slash < 0 ? "*" : p.substring(slash + 1), label));
    }
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The labels of {@code server}'s tool {@code tool} (the name as the server knows it). */
  public Set<Label> of(String server, String tool) {
    String key = server + "\u0000" + tool;
    Set<Label> hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    EnumSet<Label> out = EnumSet.noneOf(Label.class);
    for (Rule r : rules) {
      if (glob(r.server(), server) && glob(r.tool(), tool)) {
        out.add(r.label());
      }
    }
    Set<Label> result = Set.copyOf(out);
    if (cache.size() < 100_000) {
      cache.put(key, result);
    }
    return result;
  }

  /** {@code *} matches any run of characters; everything else matches itself. Linear in practice (few stars). */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
