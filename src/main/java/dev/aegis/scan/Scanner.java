package dev.aegis.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Scans MCP definitions (tools, prompts, resources, server instructions) and call outputs for hidden instructions,
 * credential access, exfiltration, shadowing, invisible or encoded text and contradicting annotations. Local,
 * offline, linear-time; one instance is thread-safe and meant to be shared.
 *
 * <pre>{@code
 * Scanner scanner = Scanner.builtIn();
 * List<Report> reports = scanner.scanTools(toolsFromOneServer, Scanner.Known.NONE);
 * if (reports.get(0).verdict() == Verdict.BLOCK) { ... }
 * Report out = scanner.scanOutput("tools/call", callResult);
 * }</pre>
 */
public final class Scanner {
  /** Most strings examined in one definition or result; the rest is reported by the {@code size} detector. */
  static final int MAX_STRINGS = 20_000;
  static final int MAX_DEPTH = 64;
  private static final Set<String> SKIP_KEYS = Set.of("$schema", "type", "format", "$ref", "$id", "mimeType",
      "uri", "blob", "data", "uriTemplate");
  private static final Set<String> NAME_MAPS = Set.of("properties", "patternProperties", "$defs", "definitions",
      "dependentSchemas", "dependentRequired");
  private static final Set<String> DESTRUCTIVE = Set.of("delete", "remove", "drop", "destroy", "wipe", "erase",
      "purge", "truncate", "overwrite", "kill", "terminate", "uninstall", "format", "reset", "revoke", "rm",
      "unlink", "shred", "clear");

  private final RuleSet rules;
  private final Thresholds thresholds;
  private final TextEngine engine;

  public Scanner(RuleSet rules, Thresholds thresholds) {
    this.rules = rules;
    this.thresholds = thresholds;
    this.engine = new TextEngine(rules);
  }

  private static final class Holder {
    static final Scanner BUILT_IN = new Scanner(RuleSet.builtIn(), Thresholds.DEFAULT);
  }

  /** The built-in rules with the default thresholds. */
  public static Scanner builtIn() {
    return Holder.BUILT_IN;
  }

  public RuleSet rules() {
    return rules;
  }

  public Thresholds thresholds() {
    return thresholds;
  }

  /**
   * Tool names offered by other servers, for shadowing checks: a tool whose name imitates one of these, or whose
   * text gives instructions about one of these, is flagged.
   */
  public static final class Known {
    public static final Known NONE = new Known(Map.of());
    private final Map<String, String> bySkeleton = new HashMap<>();
    private final Map<String, String> byName = new HashMap<>();

    /** {@code toolsByServer}: server name → the names of its tools. */
    public Known(Map<String, ? extends Iterable<String>> toolsByServer) {
      toolsByServer.forEach((server, names) -> {
        for (String n : names) {
          bySkeleton.putIfAbsent(skeletonKey(n), server + "/" + n);
          byName.putIfAbsent(n.toLowerCase(Locale.ROOT), server);
        }
      });
    }

    String imitated(String name) {
      if (bySkeleton.isEmpty()) {
        return null;
      }
      String hit = bySkeleton.get(skeletonKey(name));
      return hit == null || hit.endsWith("/" + name) ? null : hit;
    }

    /** Server offering a tool of this exact name, or null. */
    String serverOf(String name) {
      return byName.get(name.toLowerCase(Locale.ROOT));
    }

    boolean isEmpty() {
      return byName.isEmpty();
    }
  }

  static String skeletonKey(String name) {
    return Confusables.skeleton(name).toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }

  /** Scans one tool definition alone (no other servers known). */
  public Report scanTool(JsonNode tool) {
    return scanTools(List.of(tool), Known.NONE).get(0);
  }

  /**
   * Scans one server's tools in order. Besides each tool's own text: names that imitate another tool of this list
   * or of {@code others}, and text that gives instructions about {@code others}' tools.
   */
  public List<Report> scanTools(List<? extends JsonNode> tools, Known others) {
    Map<String, String> ownSkeletons = new HashMap<>();
    // Each name's skeleton once (it is looked up again below).
    String[] skeletons = new String[tools.size()];
    int k = 0;
    for (JsonNode t : tools) {
      String n = t.path("name").asString("");
      skeletons[k] = skeletonKey(n);
      ownSkeletons.putIfAbsent(skeletons[k++], n);
    }
    List<Report> reports = new ArrayList<>(tools.size());
    Seen seen = new Seen();
    int i = 0;
    for (JsonNode tool : tools) {
      String skeleton = skeletons[i++];
      String name = tool.path("name").asString("");
      List<Finding> findings = new ArrayList<>();
      walk(tool, new Pointer(), Surface.DEFINITION, findings, new int[] {0, 0}, 0, false, seen);
      if (Confusables.isAsciiConfusable(name)) {
        Detectors.report(engine, "confusable-name", Surface.DEFINITION, "/name", name,
            "reads as '" + asciiFold(name) + "'", findings);
      }
      String sibling = ownSkeletons.get(skeleton);
      if (sibling != null && !sibling.equals(name)) {
        Detectors.report(engine, "shadowed-name", Surface.DEFINITION, "/name", name,
            "looks like '" + sibling + "' offered by the same server", findings);
      }
      String imitated = others.imitated(name);
      if (imitated != null) {
        Detectors.report(engine, "shadowed-name", Surface.DEFINITION, "/name", name, "looks like " + imitated,
            findings);
      }
      annotations(tool, name, findings);
      if (!others.isEmpty()) {
        mentions(tool, name, others, findings);
      }
      reports.add(report("tool", name, findings));
    }
    return reports;
  }

  /** Scans a prompt definition ({@code prompts/list} item). */
  public Report scanPrompt(JsonNode prompt) {
    return scanDefinition("prompt", prompt.path("name").asString(""), prompt);
  }

  /** Scans a resource or resource template ({@code resources/list} or {@code resources/templates/list} item). */
  public Report scanResource(JsonNode resource) {
    String name = resource.has("uri") ? resource.path("uri").asString("") : resource.path("uriTemplate").asString("");
    return scanDefinition("resource", name, resource);
  }

  /** Scans a server's {@code instructions} from its {@code initialize} result. */
  public Report scanInstructions(String server, String instructions) {
    List<Finding> findings = new ArrayList<>();
    engine.scan(instructions, "/instructions", Surface.DEFINITION, findings);
    return report("instructions", server, findings);
  }

  /** Scans one text as the given surface. */
  public Report scanText(String id, String text, Surface surface) {
    List<Finding> findings = new ArrayList<>();
    engine.scan(text, "", surface, findings);
    return report(surface == Surface.OUTPUT ? "output" : "text", id, findings);
  }

  /** Scans a call's result ({@code tools/call}, {@code resources/read}, {@code prompts/get}): every string in it. */
  public Report scanOutput(String name, JsonNode result) {
    List<Finding> findings = new ArrayList<>();
    walk(result, new Pointer(), Surface.OUTPUT, findings, new int[] {0, 0}, 0, false, new Seen());
    return report("output", name, findings);
  }

  private Report scanDefinition(String kind, String name, JsonNode node) {
    List<Finding> findings = new ArrayList<>();
    walk(node, new Pointer(), Surface.DEFINITION, findings, new int[] {0, 0}, 0, false, new Seen());
    return report(kind, name, findings);
  }

  /** {@code pointer}: the node's JSON Pointer, extended in place for each child and restored after it. */
  private void walk(JsonNode node, Pointer pointer, Surface surface, List<Finding> out, int[] count, int depth,
      boolean nameMap, Seen seen) {
    if (count[0] >= MAX_STRINGS || depth > MAX_DEPTH) {
      tooBig(pointer, surface, out, count, depth > MAX_DEPTH ? "too deeply nested (over " + MAX_DEPTH + " levels)"
          : "too many strings (over " + MAX_STRINGS + ")");
      return;
    }
    int length = pointer.depth();
    if (node.isString()) {
      count[0]++;
      seen.scan(engine, node.asString(), pointer, surface, out);
    } else if (node.isArray()) {
      for (int i = 0; i < node.size() && (count[0] < MAX_STRINGS || count[1] == 0); i++) {
        walk(node.get(i), pointer.push(i), surface, out, count, depth + 1, false, seen);
        pointer.pop(length);
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String key = e.getKey();
        pointer.push(key);
        if (nameMap) {
          if (count[0] >= MAX_STRINGS) {
            pointer.pop(length);
            tooBig(pointer, surface, out, count, "too many strings (over " + MAX_STRINGS + ")");
            return;
          }
          count[0]++;
          seen.scan(engine, key, pointer, surface, out);
        }
        JsonNode value = e.getValue();
        if (!(value.isString() && !nameMap && SKIP_KEYS.contains(key))) {
          walk(value, pointer, surface, out, count, depth + 1, !nameMap && value.isObject() && NAME_MAPS.contains(key),
              seen);
        }
        pointer.pop(length);
      }
    }
  }

  /**
   * A JSON Pointer kept as its reference tokens, spelled out ({@code /properties/path/description}, with {@code ~}
   * and {@code /} escaped) only when a finding needs it: most strings have none.
   */
  static final class Pointer implements CharSequence {
    private String[] keys = new String[16];
    /** The array index of a token whose key is null. */
    private int[] indexes = new int[16];
    private int depth;

    int depth() {
      return depth;
    }

    Pointer push(String key) {
      grow();
      keys[depth++] = key;
      return this;
    }

    Pointer push(int index) {
      grow();
      keys[depth] = null;
      indexes[depth++] = index;
      return this;
    }

    /** Back to {@code depth} tokens. */
    void pop(int depth) {
      this.depth = depth;
    }

    private void grow() {
      if (depth == keys.length) {
        keys = java.util.Arrays.copyOf(keys, depth * 2);
        indexes = java.util.Arrays.copyOf(indexes, depth * 2);
      }
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < depth; i++) {
        sb.append('/');
        if (keys[i] == null) {
          sb.append(indexes[i]);
        } else {
          sb.append(escape(keys[i]));
        }
      }
      return sb.toString();
    }

    @Override
    public int length() {
      return toString().length();
    }

    @Override
    public char charAt(int index) {
      return toString().charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return toString().subSequence(start, end);
    }
  }

  /**
   * The findings of the strings one scan call has already scanned, so that a string met again (a parameter name or
   * description that several tools of a server share) is answered without scanning it again: a text's findings
   * depend only on the text and the surface, and only the pointer differs. Bounded: strings up to
   * {@link #MAX_CHARS} characters, {@link #MAX_ENTRIES} of them per call.
   */
  private static final class Seen {
    static final int MAX_CHARS = 4096;
    static final int MAX_ENTRIES = 4096;
    private final Map<String, List<Finding>> definition = new HashMap<>();
    private final Map<String, List<Finding>> output = new HashMap<>();

    void scan(TextEngine engine, String text, Pointer pointer, Surface surface, List<Finding> out) {
      if (text.length() > MAX_CHARS) {
        engine.scan(text, pointer, surface, out);
        return;
      }
      Map<String, List<Finding>> known = surface == Surface.OUTPUT ? output : definition;
      List<Finding> found = known.get(text);
      if (found == null) {
        int before = out.size();
        engine.scan(text, pointer, surface, out);
        if (known.size() < MAX_ENTRIES) {
          known.put(text, before == out.size() ? List.of() : List.copyOf(out.subList(before, out.size())));
        }
        return;
      }
      for (int i = 0; i < found.size(); i++) {
        Finding f = found.get(i);
        out.add(new Finding(f.ruleId(), f.severity(), pointer.toString(), f.excerpt(), f.message()));
      }
    }
  }

  /** Reports the size limit once per scan (count[1] remembers that it was reported). */
  private void tooBig(CharSequence pointer, Surface surface, List<Finding> out, int[] count, String why) {
    if (count.length > 1 && count[1] == 0) {
      count[1] = 1;
      Detectors.report(engine, "size", surface, pointer, why, why + "; the rest was not scanned", out);
    }
  }

  private static String asciiFold(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    name.codePoints().limit(256).forEach(cp -> {
      int a = cp < 0x80 ? cp : Confusables.toAscii(cp);
      sb.appendCodePoint(a < 0 ? cp : a);
    });
    return sb.toString();
  }

  static String escape(String key) {
    return key.indexOf('~') < 0 && key.indexOf('/') < 0 ? key : key.replace("~", "~0").replace("/", "~1");
  }


  /** A read-only or non-destructive hint on a tool whose name or first words say it destroys. */
  private void annotations(JsonNode tool, String name, List<Finding> out) {
    JsonNode ann = tool.path("annotations");
    boolean readOnly = ann.path("readOnlyHint").asBoolean(false);
    boolean notDestructive = ann.has("destructiveHint") && !ann.path("destructiveHint").asBoolean(true);
    if (!readOnly && !notDestructive) {
      return;
    }
    String verb = destructiveVerb(name);
    String where = "/name";
    if (verb == null) {
      verb = leadingVerb(tool.path("description").asString(""));
      where = "/description";
    }
    if (verb != null) {
      Detectors.report(engine, "annotation-contradiction", Surface.DEFINITION, "/annotations", verb,
          (readOnly ? "readOnlyHint is true" : "destructiveHint is false") + " but " + where.substring(1)
              + " says '" + verb + "'", out);
    }
  }

  /** The first destructive verb among the words of a tool name (snake, kebab, dotted or camel case), or null. */
  private static String destructiveVerb(String name) {
    int n = Math.min(name.length(), 256);
    int start = 0;
    for (int i = 1; i <= n; i++) {
      boolean cut = i == n || !Character.isLetter(name.charAt(i))
          || (Character.isUpperCase(name.charAt(i)) && Character.isLowerCase(name.charAt(i - 1)));
      if (cut) {
        String word = name.substring(start, i).toLowerCase(Locale.ROOT);
        if (DESTRUCTIVE.contains(word) && !word.equals("format") && !word.equals("clear") && !word.equals("reset")) {
          return word;
        }
        start = i;
        while (start < n && !Character.isLetter(name.charAt(start))) {
          start++;
        }
        i = Math.max(i, start);
      }
    }
    return null;
  }

  private static String leadingVerb(String description) {
    String first = Fold.fold(description.length() > 200 ? description.substring(0, 200) : description).trim();
    int end = 0;
    while (end < first.length() && Character.isLetter(first.charAt(end))) {
      end++;
    }
    String word = first.substring(0, end);
    if (word.endsWith("s")) {
      word = word.substring(0, word.length() - 1);
    }
    if (word.endsWith("e") && !DESTRUCTIVE.contains(word)) {
      word = word.substring(0, word.length() - 1);
    }
    return DESTRUCTIVE.contains(word) || DESTRUCTIVE.contains(word + "e") ? first.substring(0, end) : null;
  }

  /** A description that names another server's tool: instructions about how to use someone else's tool. */
  private void mentions(JsonNode tool, String name, Known others, List<Finding> out) {
    String folded = Fold.fold(tool.path("description").asString(""));
    Set<String> seen = new HashSet<>();
    int i = 0;
    while (i < folded.length()) {
      if (!isNamePart(folded.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < folded.length() && isNamePart(folded.charAt(i))) {
        i++;
      }
      String word = folded.substring(start, i);
      while (word.endsWith(".")) {
        word = word.substring(0, word.length() - 1);
      }
      boolean compound = word.length() >= 3 && (word.indexOf('_') > 0 || word.indexOf('-') > 0
          || word.indexOf('.') > 0);
      String server = compound ? others.serverOf(word) : null;
      if (server != null && !word.equalsIgnoreCase(name) && seen.add(word)) {
        Detectors.report(engine, "mentions-other-tool", Surface.DEFINITION, "/description", word,
            "names '" + word + "', a tool of server '" + server + "'", out);
      }
    }
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  private Report report(String kind, String name, List<Finding> raw) {
    Map<String, Finding> best = new LinkedHashMap<>();
    for (Finding f : raw) {
      String key = f.ruleId() + "\u0000" + f.pointer();
      Finding old = best.get(key);
      if (old == null || f.severity().compareTo(old.severity()) > 0) {
        best.put(key, f);
      }
    }
    List<Finding> kept = new ArrayList<>(best.size());
    int suppressed = 0;
    for (Finding f : best.values()) {
      boolean drop = false;
      for (Suppression s : rules.suppressions()) {
        if (s.covers(name, f)) {
          drop = true;
          break;
        }
      }
      if (drop) {
        suppressed++;
      } else {
        kept.add(f);
      }
    }
    kept.sort(Comparator.comparing(Finding::severity).reversed());
    return new Report(kind, name, thresholds.verdict(kept), kept, suppressed);
  }
}
