package dev.aegis.policy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Turns policy YAML into {@link Rule}s, collecting every error with its {@code file:line:col}. Positions come from
 * one token pass that records where each JSON pointer's key and value start; CEL issues are then shifted from their
 * place inside the expression to their place in the file.
 */
final class PolicyParser {
  static final int MAX_BYTES = 1 << 20;
  static final int MAX_RULES = 10_000;
  static final int MAX_ID = 128;
  static final int MAX_REASON = 1024;
  private static final Set<String> TOP_KEYS = Set.of("version", "default", "rules");
  private static final Set<String> RULE_KEYS = Set.of("id", "principals", "servers", "tools", "when", "effect",
      "redact", "rate", "reason");
  private static final Set<String> RATE_KEYS = Set.of("calls", "per");
  // a duplicated key in a security policy (two 'effect:' lines) must not silently keep the last one
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** What a file holds once it parsed cleanly. */
  record Parsed(Verdict.Effect defaultEffect, List<Rule> rules) {}

  private final String source;
  private final String[] lines;
  private final Map<String, TokenStreamLocation> keys = new HashMap<>();
  private final Map<String, TokenStreamLocation> values = new HashMap<>();
  private final List<String> errors = new ArrayList<>();
  private final boolean shortcuts;

  private PolicyParser(String source, String text, boolean shortcuts) {
    this.source = source;
    this.lines = text.lines().toArray(String[]::new);
    this.shortcuts = shortcuts;
  }

  static Parsed parse(String source, String text) throws PolicyException {
    return parse(source, text, true);
  }

  /** As {@link #parse(String, String)}; {@code shortcuts} false evaluates every condition with CEL alone. */
  static Parsed parse(String source, String text, boolean shortcuts) throws PolicyException {
    if (text.length() > MAX_BYTES || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new PolicyException(List.of(source + ": the policy is larger than " + MAX_BYTES / 1024 / 1024
          + " MiB; split it or remove unused rules"));
    }
    PolicyParser p = new PolicyParser(source, text, shortcuts);
    JsonNode root;
    try (JsonParser tokens = YAML.createParser(text)) {
      JsonToken t;
      while ((t = tokens.nextToken()) != null) {
        String pointer = tokens.streamReadContext().pathAsPointer().toString();
        if (t == JsonToken.PROPERTY_NAME) {
          p.keys.putIfAbsent(pointer, tokens.currentTokenLocation());
        } else if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
          p.values.putIfAbsent(pointer, tokens.currentTokenLocation());
        }
      }
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where = at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new PolicyException(List.of(where + ": not valid YAML: " + e.getOriginalMessage()));
    }
    Parsed parsed = p.read(root);
    if (!p.errors.isEmpty()) {
      throw new PolicyException(p.inFileOrder());
    }
    return parsed;
  }

  private Parsed read(JsonNode root) {
    if (root == null || !root.isObject()) {
      error("", "a policy is a mapping with 'version: 1', 'default' and 'rules'");
      return null;
    }
    unknownKeys(root, "", TOP_KEYS, "a policy");
    JsonNode version = root.get("version");
    if (version == null) {
      error("", "'version: 1' is required (it lets a later format change be detected)");
    } else if (!version.isIntegralNumber() || version.asInt() != 1) {
      error("/version", "'version' must be 1");
    }
    Verdict.Effect fallback = Verdict.Effect.DENY;
    JsonNode d = root.get("default");
    if (d != null) {
      String text = d.isString() ? d.stringValue().trim().toLowerCase(Locale.ROOT) : "";
      if (text.equals("allow")) {
        fallback = Verdict.Effect.ALLOW;
      } else if (!text.equals("deny")) {
        error("/default", "'default' must be 'deny' or 'allow'");
      }
    }
    List<Rule> rules = new ArrayList<>();
    JsonNode list = root.get("rules");
    if (list == null || list.isNull()) {
      return new Parsed(fallback, rules);
    }
    if (!list.isArray()) {
      error("/rules", "'rules' must be a list of rules");
      return null;
    }
    if (list.size() > MAX_RULES) {
      error("/rules", "a policy may hold at most " + MAX_RULES + " rules, this one has " + list.size());
      return null;
    }
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Rule r = rule(list.get(i), "/rules/" + i, seen);
      if (r != null) {
        rules.add(r);
      }
    }
    return new Parsed(fallback, rules);
  }

  private Rule rule(JsonNode node, String at, Map<String, String> seen) {
    if (!node.isObject()) {
      error(at, "a rule is a mapping with at least 'id', 'principals' and 'effect'");
      return null;
    }
    int before = errors.size();
    unknownKeys(node, at, RULE_KEYS, "a rule");
    String id = string(node, "id", at, MAX_ID);
    if (id == null) {
      if (!node.has("id")) {
        error(at, "a rule needs an 'id' (audit records and errors name it)");
      }
    } else if (id.isBlank() || !id.strip().equals(id) || id.chars().anyMatch(Character::isISOControl)) {
      error(at + "/id", "'id' must be non-blank, without leading or trailing spaces or control characters");
    } else {
      String first = seen.putIfAbsent(id, where(at + "/id", values));
      if (first != null) {
        error(at + "/id", "duplicate rule id '" + id + "' (first used at " + first + ")");
      }
    }
    List<Glob> names = new ArrayList<>();
    List<Glob> groups = new ArrayList<>();
    if (!node.has("principals")) {
      error(at, "a rule needs 'principals' (use [\"*\"] for everyone)");
    } else {
      List<String> entries = strings(node, "principals", at);
      for (int j = 0; j < entries.size(); j++) {
        String e = entries.get(j);
        boolean group = e.startsWith("group:");
        Glob g = glob(group ? e.substring("group:".length()) : e, at + "/principals" + (list(node, "principals")
            ? "/" + j : ""));
        if (g != null) {
          (group ? groups : names).add(g);
        }
      }
    }
    List<Glob> servers = globs(node, "servers", at);
    List<Glob> tools = globs(node, "tools", at);
    Verdict.Effect effect = null;
    JsonNode e = node.get("effect");
    if (e == null) {
      error(at, "a rule needs an 'effect': allow, deny, ask or redact");
    } else {
      effect = switch (e.isString() ? e.stringValue().trim().toLowerCase(Locale.ROOT) : "") {
        case "allow" -> Verdict.Effect.ALLOW;
        case "deny" -> Verdict.Effect.DENY;
        case "ask" -> Verdict.Effect.ASK;
        case "redact" -> Verdict.Effect.REDACT;
        default -> null;
      };
      if (effect == null) {
        error(at + "/effect", "unknown effect '" + e.asString() + "' (use allow, deny, ask or redact)");
      }
    }
    List<String> redact = redact(node, at, effect);
    RateLimit rate = rate(node, at, effect);
    Condition when = when(node, at);
    String reason = string(node, "reason", at, MAX_REASON);
    if (errors.size() > before || id == null || effect == null) {
      return null;
    }
    return new Rule(id, names, groups, servers, tools, when, effect, redact, rate,
        reason == null || reason.isBlank() ? "rule " + id : reason);
  }

  private List<String> redact(JsonNode node, String at, Verdict.Effect effect) {
    if (!node.has("redact")) {
      if (effect == Verdict.Effect.REDACT) {
        error(at, "a redact rule needs 'redact': the JSON pointers to mask, like [/token]");
      }
      return List.of();
    }
    if (effect != null && effect != Verdict.Effect.REDACT) {
      error(at + "/redact", "'redact' only applies to rules with 'effect: redact'");
    }
    List<String> pointers = strings(node, "redact", at);
    for (int j = 0; j < pointers.size(); j++) {
      String p = pointers.get(j);
      String here = at + "/redact" + (list(node, "redact") ? "/" + j : "");
      try {
        if (p.isEmpty()) {
          error(here, "a redact pointer must name a part of the arguments, like /token (\"\" would mask them all)");
        } else {
          JsonPointer.compile(p);
        }
      } catch (IllegalArgumentException ex) {
        error(here, "'" + p + "' is not a JSON pointer; write it like /token or /auth/password");
      }
    }
    if (pointers.isEmpty() && node.get("redact").isArray()) {
      error(at + "/redact", "'redact' must list at least one JSON pointer");
    }
    return pointers;
  }

  private RateLimit rate(JsonNode node, String at, Verdict.Effect effect) {
    JsonNode r = node.get("rate");
    if (r == null || r.isNull()) {
      return null;
    }
    String here = at + "/rate";
    if (!r.isObject()) {
      error(here, "'rate' must be a mapping like {calls: 10, per: 1m}");
      return null;
    }
    unknownKeys(r, here, RATE_KEYS, "'rate'");
    if (effect == Verdict.Effect.DENY) {
      error(here, "a 'rate' on a deny rule has no effect; put it on the rule that allows the calls");
    }
    JsonNode calls = r.get("calls");
    int n = -1;
    if (calls == null || !calls.isIntegralNumber() || !calls.canConvertToInt() || calls.intValue() < 1
        || calls.intValue() > RateLimit.MAX_CALLS) {
      error(calls == null ? here : here + "/calls", "'calls' must be a whole number from 1 to " + RateLimit.MAX_CALLS);
    } else {
      n = calls.intValue();
    }
    JsonNode per = r.get("per");
    Duration window = per == null || !per.isString() ? null : duration(per.stringValue().trim());
    if (window == null || window.compareTo(RateLimit.MAX_PER) > 0) {
      error(per == null ? here : here + "/per", "'per' must be a window like 30s, 1m or 2h, at most 24h");
    }
    return n < 0 || window == null || window.compareTo(RateLimit.MAX_PER) > 0 ? null : new RateLimit(n, window);
  }

  static Duration duration(String t) {
    if (t.length() < 2 || t.length() > 9) {
      return null;
    }
    for (int i = 0; i < t.length() - 1; i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        return null;
      }
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    Duration d = switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> null;
    };
    return d == null || d.isZero() ? null : d;
  }

  private Condition when(JsonNode node, String at) {
    JsonNode w = node.get("when");
    if (w == null || w.isNull()) {
      return null;
    }
    String here = at + "/when";
    if (!w.isString() || w.stringValue().isBlank()) {
      error(here, "'when' must be a CEL expression in a string");
      return null;
    }
    String text = w.stringValue();
    if (text.getBytes(StandardCharsets.UTF_8).length > Condition.MAX_BYTES) {
      error(here, "'when' must be at most " + Condition.MAX_BYTES + " bytes; move logic into more rules");
      return null;
    }
    Object compiled = Condition.compile(text, shortcuts);
    if (compiled instanceof Condition c) {
      return c;
    }
    for (Object o : (List<?>) compiled) {
      Condition.Issue issue = (Condition.Issue) o;
      errors.add(celPosition(here, issue) + ": when: " + issue.message());
    }
    return null;
  }

  /**
   * Where a CEL issue sits in the file. Exact for plain, quoted and {@code |} block scalars on their first line and
   * for each line of a {@code |} block; approximate where YAML folded lines or unescaped quotes ({@code ''}) shifted
   * the text.
   */
  private String celPosition(String pointer, Condition.Issue issue) {
    TokenStreamLocation l = values.get(pointer);
    if (l == null) {
      return where(pointer, values);
    }
    int line = l.getLineNr();
    int col = l.getColumnNr();
    String text = line - 1 < lines.length ? lines[line - 1] : "";
    char start = col - 1 < text.length() ? text.charAt(col - 1) : ' ';
    if (start == '|' || start == '>') {
      int first = line; // 0-based index of the first content line
      while (first < lines.length && lines[first].isBlank()) {
        first++;
      }
      int indent = 0;
      String content = first < lines.length ? lines[first] : "";
      while (indent < content.length() && content.charAt(indent) == ' ') {
        indent++;
      }
      return source + ":" + (first + issue.line()) + ":" + (indent + issue.column() + 1);
    }
    int shift = start == '\'' || start == '"' ? 1 : 0;
    if (issue.line() == 1) {
      return source + ":" + line + ":" + (col + shift + issue.column());
    }
    return source + ":" + (line + issue.line() - 1) + ":" + (issue.column() + 1);
  }

  private List<Glob> globs(JsonNode node, String key, String at) {
    if (!node.has(key)) {
      return List.of((Glob) Glob.compile("*"));
    }
    List<String> entries = strings(node, key, at);
    if (entries.isEmpty() && node.get(key).isArray()) {
      error(at + "/" + key, "'" + key + "' must list at least one pattern (an empty list never matches;"
          + " leave the key out to match all)");
    }
    List<Glob> out = new ArrayList<>();
    for (int j = 0; j < entries.size(); j++) {
      Glob g = glob(entries.get(j), at + "/" + key + (list(node, key) ? "/" + j : ""));
      if (g != null) {
        out.add(g);
      }
    }
    return out;
  }

  private Glob glob(String text, String pointer) {
    Object g = Glob.compile(text);
    if (g instanceof Glob glob) {
      return glob;
    }
    error(pointer, "bad pattern: " + g);
    return null;
  }

  private static boolean list(JsonNode node, String key) {
    return node.get(key).isArray();
  }

  /** A list of strings, or one string standing for a list of one; errors for anything else. */
  private List<String> strings(JsonNode node, String key, String at) {
    JsonNode v = node.get(key);
    List<String> out = new ArrayList<>();
    if (v.isString()) {
      out.add(v.stringValue());
    } else if (v.isArray()) {
      for (int j = 0; j < v.size(); j++) {
        if (v.get(j).isString()) {
          out.add(v.get(j).stringValue());
        } else {
          error(at + "/" + key + "/" + j, "'" + key + "' entries must be strings");
        }
      }
    } else {
      error(at + "/" + key, "'" + key + "' must be a list of strings");
    }
    return out;
  }

  private String string(JsonNode node, String key, String at, int max) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      error(at + "/" + key, "'" + key + "' must be a string");
      return null;
    }
    if (v.stringValue().length() > max) {
      error(at + "/" + key, "'" + key + "' must be at most " + max + " characters");
      return null;
    }
    return v.stringValue();
  }

  private void unknownKeys(JsonNode node, String at, Set<String> known, String what) {
    for (String key : node.propertyNames()) {
      if (!known.contains(key)) {
        errors.add(where(at + "/" + escape(key), keys) + ": unknown key '" + key + "' in " + what + " (known: "
            + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
  }

  private void error(String pointer, String message) {
    errors.add(where(pointer, values) + ": " + message);
  }

  /** {@code file:line:col} of the value (or key) at {@code pointer}, else of its nearest located parent. */
  private String where(String pointer, Map<String, TokenStreamLocation> in) {
    TokenStreamLocation l = in.get(pointer);
    String p = pointer;
    while (l == null && !p.isEmpty()) {
      p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
      l = values.get(p);
    }
    return l == null ? source : source + ":" + l.getLineNr() + ":" + l.getColumnNr();
  }

  /** The errors sorted by line and column (stable), so they read top to bottom like the file. */
  private List<String> inFileOrder() {
    List<String> sorted = new ArrayList<>(errors);
    sorted.sort(java.util.Comparator.comparingLong(this::position));
    return sorted;
  }

  private long position(String error) {
    String rest = error.substring(source.length());
    if (!rest.startsWith(":")) {
      return 0;
    }
    String[] parts = rest.substring(1).split(":", 3);
    try {
      return Long.parseLong(parts[0]) * 1_000_000L + Long.parseLong(parts[1]);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return 0;
    }
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
