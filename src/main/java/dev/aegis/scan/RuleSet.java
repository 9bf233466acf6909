package dev.aegis.scan;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The rules and suppressions a {@link Scanner} uses: the versioned built-in file shipped in the jar, plus user rule
 * files (a rule with a built-in id replaces it; {@code enabled: false} turns it off) and suppressions, each with a
 * reason.
 *
 * <pre>{@code
 * RuleSet rules = RuleSet.builtIn().with(RuleSet.load(Path.of("my-rules.yaml")));
 * }</pre>
 *
 * <p>File format (YAML): {@code version}, {@code contexts: {name: pattern}}, {@code rules: [{id, severity,
 * category, on, triggers, requires, pattern | detector, unless, window, message, severities, squashed, enabled}]},
 * {@code suppressions: [{rule, subject, pointer, reason}]}.
 * Every error names the file, the rule and the field.
 */
public final class RuleSet {
  static final String BUILT_IN = "/dev/aegis/scan/rules.yaml";
  static final Set<String> DETECTORS = Set.of("unicode-tags", "invisible", "bidi", "html-comment", "encoded",
      "confusable-name", "mixed-script", "annotation-contradiction", "shadowed-name", "mentions-other-tool", "size");
  private static final int MAX_WINDOW = 4096;

  private final String version;
  private final List<Rule> rules;
  private final List<Suppression> suppressions;

  RuleSet(String version, List<Rule> rules, List<Suppression> suppressions) {
    this.version = version;
    this.rules = List.copyOf(rules);
    this.suppressions = List.copyOf(suppressions);
  }

  /** The rules shipped with this version of Aegis. */
  public static RuleSet builtIn() {
    return Holder.BUILT_IN_RULES;
  }

  private static final class Holder {
    static final RuleSet BUILT_IN_RULES = loadBuiltIn();

    private static RuleSet loadBuiltIn() {
      try (InputStream in = RuleSet.class.getResourceAsStream(BUILT_IN)) {
        if (in == null) {
          throw new IllegalStateException("built-in rules " + BUILT_IN + " missing from the jar");
        }
        return parse("built-in rules", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read built-in rules", e);
      }
    }
  }

  /**
   * The built-in rules with {@code files} layered on top in order.
   *
   * @throws IllegalArgumentException naming every file that cannot be read and every error in the others, one per
   *     line
   */
  public static RuleSet builtInWith(List<Path> files) {
    RuleSet set = builtIn();
    List<String> errors = new ArrayList<>();
    for (Path f : files) {
      try {
        set = set.with(load(f));
      } catch (IOException e) {
        errors.add(f + ": cannot read: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", errors));
    }
    return set;
  }

  /** Reads a user rule file. */
  public static RuleSet load(Path file) throws IOException {
    return parse(file.toString(), Files.readString(file));
  }

  /** Parses a rule file's text; {@code where} names it in errors. */
  public static RuleSet parse(String where, String text) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(where + ": not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull() || (root.isString() && root.asString().isBlank())) {
      return new RuleSet("", List.of(), List.of());
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(where + ": expected a mapping with 'rules' and/or 'suppressions'");
    }
    List<String> errors = new ArrayList<>();
    Map<String, Rule.Unless> contexts = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.path("contexts").properties()) {
      JsonNode c = e.getValue();
      try {
        contexts.put(e.getKey(), c.isObject()
            ? new Rule.Unless(compile(text(c, "pattern"), "pattern"), c.path("quoted").asBoolean(false))
            : new Rule.Unless(compile(scalar(c, "contexts"), "pattern"), false));
      } catch (IllegalArgumentException ex) {
        errors.add(where + ": contexts." + e.getKey() + ": " + ex.getMessage());
      }
    }
    List<Rule> rules = new ArrayList<>();
    JsonNode list = root.path("rules");
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      errors.add(where + ": 'rules' must be a list of rules");
      list = tools.jackson.databind.node.MissingNode.getInstance();
    }
    if (!root.path("contexts").isMissingNode() && !root.path("contexts").isObject()) {
      errors.add(where + ": 'contexts' must be a mapping of name to pattern");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode r = list.get(i);
      if (!r.isObject()) {
        errors.add(where + ": rules[" + i + "]: expected a mapping with id, pattern or detector, and message");
        continue;
      }
      String at = where + ": rules[" + i + "]" + (r.path("id").isString() ? " (" + r.path("id").asString() + ")" : "");
      if (r.isObject()) {
        for (String key : List.of("id", "severity", "category", "pattern", "detector", "message", "window",
            "enabled", "squashed")) {
          JsonNode v = r.get(key);
          if (v != null && !v.isValueNode()) {
            errors.add(at + ": '" + key + "' must be a single value, not a list or mapping");
          }
        }
      }
      try {
        Rule rule = rule(r, contexts);
        if (rule != null) {
          rules.add(rule);
        } else if (!r.path("enabled").asBoolean(true)) {
          rules.add(disabledMarker(r.path("id").asString()));
        }
      } catch (IllegalArgumentException e) {
        errors.add(at + ": " + e.getMessage());
      }
    }
    List<Suppression> sups = new ArrayList<>();
    JsonNode sl = root.path("suppressions");
    if (!sl.isMissingNode() && !sl.isNull() && !sl.isArray()) {
      errors.add(where + ": 'suppressions' must be a list");
      sl = tools.jackson.databind.node.MissingNode.getInstance();
    }
    for (int i = 0; i < sl.size(); i++) {
      JsonNode s = sl.get(i);
      if (!s.isObject()) {
        errors.add(where + ": suppressions[" + i + "]: expected a mapping with rule and reason");
        continue;
      }
      try {
        sups.add(new Suppression(text(s, "rule"), text(s, "subject"), text(s, "pointer"), text(s, "reason")));
      } catch (IllegalArgumentException e) {
        errors.add(where + ": suppressions[" + i + "]: " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", errors));
    }
    return new RuleSet(root.path("version").asString(""), rules, sups);
  }

  private static Rule disabledMarker(String id) {
    return new Rule(id, Severity.INFO, "disabled", Set.of(), Map.of(), List.of(), null, List.of(), "disabled", 0, "",
        false, List.of());
  }

  private static Rule rule(JsonNode r, Map<String, Rule.Unless> contexts) {
    String id = text(r, "id");
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("'id' is required");
    }
    if (!r.path("enabled").asBoolean(true)) {
      return null;
    }
    String message = text(r, "message");
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("'message' is required");
    }
    Severity severity = Severity.parse(text(r, "severity"));
    Set<Surface> on = EnumSet.noneOf(Surface.class);
    JsonNode onNode = r.path("on");
    if (onNode.isMissingNode()) {
      on.addAll(EnumSet.allOf(Surface.class));
    } else {
      for (JsonNode s : onNode.isArray() ? onNode : List.of(onNode)) {
        on.add(surface(scalar(s, "on")));
      }
    }
    Map<Surface, Severity> severities = new EnumMap<>(Surface.class);
    for (Map.Entry<String, JsonNode> e : r.path("severities").properties()) {
      severities.put(surface(e.getKey()), Severity.parse(scalar(e.getValue(), "severities")));
    }
    List<String> triggers = new ArrayList<>();
    for (JsonNode t : r.path("triggers")) {
      String word = scalar(t, "triggers").toLowerCase(Locale.ROOT).trim();
      if (word.isEmpty() || word.equals("*")) {
        throw new IllegalArgumentException("empty trigger");
      }
      triggers.add(word);
    }
    String detector = text(r, "detector");
    String pattern = text(r, "pattern");
    if ((detector == null) == (pattern == null)) {
      throw new IllegalArgumentException("needs exactly one of 'pattern' and 'detector'");
    }
    if (detector != null && !DETECTORS.contains(detector)) {
      throw new IllegalArgumentException("unknown detector '" + detector + "' (known: " + DETECTORS + ")");
    }
    int window = r.path("window").asInt(200);
    if (window <= 0 || window > MAX_WINDOW) {
      throw new IllegalArgumentException("'window' must be 1.." + MAX_WINDOW);
    }
    return new Rule(id, severity, r.path("category").asString("other"), on, severities, triggers,
        compile(pattern, "pattern"), unless(r.get("unless"), contexts), detector, window, message,
        r.path("squashed").asBoolean(false), requires(r.path("requires")));
  }

  private static List<List<String>> requires(JsonNode node) {
    List<List<String>> groups = new ArrayList<>();
    for (JsonNode g : node) {
      List<String> words = new ArrayList<>();
      for (JsonNode w : g.isArray() ? g : List.of(g)) {
        String word = scalar(w, "requires").toLowerCase(Locale.ROOT).trim();
        String stem = word.endsWith("*") ? word.substring(0, word.length() - 1) : word;
        if (stem.isEmpty() || !stem.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
          throw new IllegalArgumentException("'requires' words are lower-case ASCII letters and digits, optionally"
              + " ending in *: '" + word + "'");
        }
        words.add(word);
      }
      if (words.isEmpty()) {
        throw new IllegalArgumentException("empty 'requires' group");
      }
      groups.add(words);
    }
    return groups;
  }

  private static List<Rule.Unless> unless(JsonNode node, Map<String, Rule.Unless> contexts) {
    List<Rule.Unless> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    for (JsonNode item : node.isArray() ? node : List.of(node)) {
      String u = scalar(item, "unless");
      if (u.startsWith("@")) {
        Rule.Unless named = contexts.get(u.substring(1));
        if (named == null) {
          throw new IllegalArgumentException("'unless' names context '" + u.substring(1) + "', which is not under"
              + " 'contexts' " + contexts.keySet());
        }
        out.add(named);
      } else {
        out.add(new Rule.Unless(compile(u, "unless"), false));
      }
    }
    return out;
  }

  /** The most copies RE2/J may make of a pattern's most nested part (its program grows with them). */
  static final long MAX_REPEAT_COPIES = 20_000;
  /** The most copies of a nested part that can match nothing (RE2/J walks those by recursion, on the stack). */
  static final long MAX_EMPTY_COPIES = 1_000;

  private static Pattern compile(String regex, String field) {
    if (regex == null) {
      return null;
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("'" + field + "' is not a valid RE2 expression: " + e.getMessage());
    }
    long[] copies = Prefilter.repeatCopies(regex);
    if (copies[0] > MAX_REPEAT_COPIES || copies[1] > MAX_EMPTY_COPIES) {
      throw new IllegalArgumentException("'" + field + "' nests counted repeats too deeply: RE2/J would copy its"
          + " innermost part " + Math.max(copies[0], copies[1]) + " times (at most " + MAX_REPEAT_COPIES
          + ", or " + MAX_EMPTY_COPIES + " for a part that can match nothing); scanning with it could exhaust"
          + " memory or the stack");
    }
    return pattern;
  }

  private static Surface surface(String s) {
    return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
      case "definition", "definitions" -> Surface.DEFINITION;
      case "output", "outputs" -> Surface.OUTPUT;
      default -> throw new IllegalArgumentException("unknown surface '" + s + "' (use definition or output)");
    };
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v != null && !v.isNull() && !v.isValueNode()) {
      throw new IllegalArgumentException("'" + field + "' must be a string, not a list or mapping");
    }
    return v == null || v.isNull() ? null : v.asString();
  }

  private static String scalar(JsonNode v, String field) {
    if (!v.isValueNode()) {
      throw new IllegalArgumentException("'" + field + "' entries must be strings, not lists or mappings");
    }
    return v.asString();
  }

  /** These rules with {@code other}'s layered on top: same id replaces, disabled ids drop, suppressions add. */
  public RuleSet with(RuleSet other) {
    Map<String, Rule> byId = new LinkedHashMap<>();
    for (Rule r : rules) {
      byId.put(r.id(), r);
    }
    for (Rule r : other.rules) {
      if ("disabled".equals(r.detector())) {
        byId.remove(r.id());
      } else {
        byId.put(r.id(), r);
      }
    }
    List<Suppression> sups = new ArrayList<>(suppressions);
    sups.addAll(other.suppressions);
    String v = other.version.isEmpty() ? version : version + "+" + other.version;
    return new RuleSet(v, new ArrayList<>(byId.values()), sups);
  }

  /** These rules plus more suppressions (a baseline, say). */
  public RuleSet withSuppressions(List<Suppression> more) {
    List<Suppression> sups = new ArrayList<>(suppressions);
    sups.addAll(more);
    return new RuleSet(version, rules, sups);
  }

  public String version() {
    return version;
  }

  public List<Rule> rules() {
    return rules.stream().filter(r -> !"disabled".equals(r.detector())).toList();
  }

  public List<Suppression> suppressions() {
    return suppressions;
  }
}
