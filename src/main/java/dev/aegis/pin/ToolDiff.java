package dev.aegis.pin;

import static dev.aegis.pin.ChangeClass.BREAKING;
import static dev.aegis.pin.ChangeClass.CAPABILITY_WIDENING;
import static dev.aegis.pin.ChangeClass.COMPATIBLE;
import static dev.aegis.pin.ChangeClass.DESCRIPTION_CHANGED_BENIGN;
import static dev.aegis.pin.ChangeClass.DESCRIPTION_CHANGED_SUSPICIOUS;
import static dev.aegis.pin.ChangeClass.NONE;

import dev.aegis.scan.Finding;
import dev.aegis.scan.Report;
import dev.aegis.scan.Scanner;
import dev.aegis.scan.Severity;
import dev.aegis.scan.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The semantic difference between two versions of one MCP tool definition: each change with its class, and the
 * overall classification (the highest class, see {@link ChangeClass} for why suspicious text ranks first).
 *
 * <pre>{@code
 * ToolDiff d = ToolDiff.of(pinnedTool, currentTool);
 * if (d.classification().failsGate()) { holdForApproval(d.toJson()); }
 * }</pre>
 *
 * <p>Kinds, with their class for an input schema (an output schema swaps narrowing and widening):
 * <ul>
 *   <li>breaking: {@code tool_removed renamed parameter_removed required_parameter_added parameter_now_required
 *       type_changed type_narrowed enum_narrowed enum_changed const_added const_changed pattern_added pattern_changed
 *       format_added format_changed bound_tightened additional_properties_closed schema_closed
 *       output_property_removed output_property_now_optional output_schema_removed changed}</li>
 *   <li>compatible: {@code tool_added parameter_added parameter_now_optional type_widened enum_widened const_removed
 *       pattern_removed format_removed bound_relaxed additional_properties_opened schema_opened
 *       output_property_added output_schema_added annotation_narrowed annotation_changed icons_changed
 *       schema_annotation_changed}</li>
 *   <li>capability_widening: {@code annotation_widened channel_parameter_added}</li>
 *   <li>description_changed_benign or _suspicious: {@code description_changed}; suspicious only:
 *       {@code suspicious_text_added}</li>
 *   <li>none: {@code meta_changed version_changed} ({@code _meta} is for tooling, not for the model)</li>
 * </ul>
 *
 * <p>{@code changed} is a difference we do not model (a tool-level key other than {@code name title description
 * inputSchema outputSchema annotations icons _meta}, or a schema keyword not listed in {@link SchemaWalk}), filed as
 * breaking because we cannot tell which way it moved. Annotation hints compare effective values (MCP defaults:
 * readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true), so writing a default out
 * changes nothing; the change's before/after are those effective values.
 *
 * <p>Text: whenever the definitions differ, the new one is scanned; a finding at or above the scanner's warn
 * threshold whose rule the old definition did not already trip (at that level) is new suspicious text. Then every
 * {@code description_changed} is suspicious and each such finding is reported as {@code suspicious_text_added}
 * (after = {@code {"rule","severity","message","excerpt"}}), also when the text arrived in a new parameter rather
 * than an edited description. Without one, text changes are benign.
 *
 * <p>Definitions are attacker-controlled: over {@value #MAX_BYTES} bytes of JSON or nested deeper than
 * {@value #MAX_DEPTH} levels they are refused with {@link IllegalArgumentException}.
 */
public record ToolDiff(List<Change> changes, ChangeClass classification) {
  static final int MAX_BYTES = 1 << 20;
  static final int MAX_DEPTH = 64;
  private static final List<String> HINTS = List.of("readOnlyHint", "destructiveHint", "idempotentHint",
      "openWorldHint");

  public ToolDiff {
    changes = List.copyOf(changes);
    if (classification == null) {
      throw new IllegalArgumentException("a diff needs a classification");
    }
  }

  /** Compares two definitions; null before means the tool was added, null after that it was removed. */
  public static ToolDiff of(JsonNode before, JsonNode after) {
    if (before == null && after == null) {
      throw new IllegalArgumentException("nothing to compare: both tool definitions are absent");
    }
    if (before != null && after != null && before.isObject() && before.equals(after)) {
      // the common case in a re-listed catalogue: nothing to walk, scan or bound (it was bounded when it arrived)
      return new ToolDiff(List.of(), NONE);
    }
    checkBounds("old", before);
    checkBounds("new", after);
    List<Change> changes = new ArrayList<>();
    if (before == null) {
      changes.add(new Change("tool_added", COMPATIBLE, "", null, after));
    } else if (after == null) {
      changes.add(new Change("tool_removed", BREAKING, "", before, null));
    } else {
      compare(before, after, changes);
    }
    if (after != null && !after.equals(before)) {
      text(before, after, changes);
    }
    return new ToolDiff(changes, highest(changes));
  }

  static ChangeClass highest(List<Change> changes) {
    ChangeClass c = NONE;
    for (Change ch : changes) {
      c = c.max(ch.changeClass());
    }
    return c;
  }

  private static void compare(JsonNode b, JsonNode a, List<Change> out) {
    Set<String> keys = new LinkedHashSet<>(b.propertyNames());
    keys.addAll(a.propertyNames());
    SchemaWalk tool = new SchemaWalk(SchemaWalk.Direction.INPUT, out);
    for (String k : keys) {
      JsonNode bv = b.get(k);
      JsonNode av = a.get(k);
      String p = "/" + Change.escape(k);
      if (SchemaWalk.same(bv, av)) {
        continue;
      }
      switch (k) {
        case "name" -> out.add(new Change("renamed", BREAKING, p, bv, av));
        case "description", "title" -> out.add(new Change("description_changed", DESCRIPTION_CHANGED_BENIGN, p, bv,
            av));
        // MCP requires inputSchema; absent is read as the schema that accepts anything.
        case "inputSchema" -> new SchemaWalk(SchemaWalk.Direction.INPUT, out).schema(p, SchemaWalk.orTrue(bv),
            SchemaWalk.orTrue(av));
        case "outputSchema" -> {
          if (bv == null) {
            out.add(new Change("output_schema_added", COMPATIBLE, p, null, av));
          } else if (av == null) {
            out.add(new Change("output_schema_removed", BREAKING, p, bv, null));
          } else {
            new SchemaWalk(SchemaWalk.Direction.OUTPUT, out).schema(p, bv, av);
          }
        }
        case "annotations" -> annotations(p, bv, av, out, tool);
        case "_meta" -> meta(p, bv, av, out);
        case "icons" -> out.add(new Change("icons_changed", COMPATIBLE, p, bv, av));
        default -> tool.unmodelled(p, bv, av);
      }
    }
  }

  private static void annotations(String p, JsonNode bv, JsonNode av, List<Change> out, SchemaWalk tool) {
    JsonNode b = bv == null ? JsonNodeFactory.instance.objectNode() : bv;
    JsonNode a = av == null ? JsonNodeFactory.instance.objectNode() : av;
    if (!b.isObject() || !a.isObject()) {
      tool.unmodelled(p, bv, av);
      return;
    }
    Set<String> keys = new LinkedHashSet<>(HINTS);
    keys.addAll(b.propertyNames());
    keys.addAll(a.propertyNames());
    for (String k : keys) {
      String kp = p + "/" + Change.escape(k);
      if (HINTS.contains(k)) {
        boolean was = hint(b, k);
        boolean now = hint(a, k);
        if (was != now) {
          // Each hint has a direction that grants more: may write, may destroy, may repeat harm, may reach out.
          boolean widens = k.equals("readOnlyHint") || k.equals("idempotentHint") ? !now : now;
          out.add(new Change(widens ? "annotation_widened" : "annotation_narrowed",
              widens ? CAPABILITY_WIDENING : COMPATIBLE, kp, BooleanNode.valueOf(was), BooleanNode.valueOf(now)));
        }
      } else if (!SchemaWalk.same(b.get(k), a.get(k))) {
        out.add(k.equals("title")
            ? new Change("description_changed", DESCRIPTION_CHANGED_BENIGN, kp, b.get(k), a.get(k))
            : new Change("annotation_changed", COMPATIBLE, kp, b.get(k), a.get(k)));
      }
    }
  }

  /** The effective value of a hint: its boolean, or the MCP default when absent or not a boolean. */
  private static boolean hint(JsonNode ann, String k) {
    JsonNode v = ann.get(k);
    if (v != null && v.isBoolean()) {
      return v.booleanValue();
    }
    return k.equals("destructiveHint") || k.equals("openWorldHint");
  }

  /** {@code _meta} is for tooling: reported per key so it is visible, never counted as a change that matters. */
  private static void meta(String p, JsonNode bv, JsonNode av, List<Change> out) {
    JsonNode b = bv == null ? JsonNodeFactory.instance.objectNode() : bv;
    JsonNode a = av == null ? JsonNodeFactory.instance.objectNode() : av;
    if (!b.isObject() || !a.isObject()) {
      out.add(new Change("meta_changed", NONE, p, bv, av));
      return;
    }
    Set<String> keys = new LinkedHashSet<>(b.propertyNames());
    keys.addAll(a.propertyNames());
    for (String k : keys) {
      if (!SchemaWalk.same(b.get(k), a.get(k))) {
        String lower = k.toLowerCase(Locale.ROOT);
        boolean version = lower.equals("version") || lower.endsWith("/version") || lower.endsWith(".version");
        out.add(new Change(version ? "version_changed" : "meta_changed", NONE, p + "/" + Change.escape(k),
            b.get(k), a.get(k)));
      }
    }
  }

  /** Scans the new definition and decides whether its new text is suspicious (see the class comment). */
  private static void text(JsonNode before, JsonNode after, List<Change> changes) {
    Scanner scanner = Scanner.builtIn();
    Severity warn = scanner.thresholds().warnAt();
    Set<String> old = new HashSet<>();
    if (before != null) {
      for (Finding f : scanner.scanTool(before).findings()) {
        if (f.severity().atLeast(warn)) {
          old.add(f.ruleId());
        }
      }
    }
    Report now = scanner.scanTool(after);
    List<Finding> fresh = new ArrayList<>();
    for (Finding f : now.findings()) {
      if (f.severity().atLeast(warn) && !old.contains(f.ruleId())) {
        fresh.add(f);
      }
    }
    boolean suspicious = now.verdict() != Verdict.ALLOW && !fresh.isEmpty();
    if (!suspicious) {
      return;
    }
    changes.replaceAll(c -> c.kind().equals("description_changed") ? c.withClass(DESCRIPTION_CHANGED_SUSPICIOUS) : c);
    for (Finding f : fresh) {
      ObjectNode why = JsonNodeFactory.instance.objectNode();
      why.put("rule", f.ruleId());
      why.put("severity", f.severity().wire());
      why.put("message", f.message());
      why.put("excerpt", f.excerpt());
      changes.add(new Change("suspicious_text_added", DESCRIPTION_CHANGED_SUSPICIOUS, f.pointer(), null, why));
    }
  }

  /** Refuses a definition that is not an object, nested deeper than MAX_DEPTH or larger than MAX_BYTES. */
  static void checkBounds(String which, JsonNode def) {
    if (def == null) {
      return;
    }
    if (!def.isObject()) {
      throw new IllegalArgumentException("the " + which + " tool definition must be a JSON object, not "
          + def.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    // one walk, no copies: depth, and the size the JSON text would have (strings and names counted in characters)
    long[] size = {0};
    if (tooDeep(def, 0, size)) {
      throw new IllegalArgumentException("the " + which + " tool definition is nested deeper than " + MAX_DEPTH
          + " levels (at " + deepest(def, "", 0) + ")");
    }
    if (size[0] > MAX_BYTES) {
      throw new IllegalArgumentException("the " + which + " tool definition is larger than " + MAX_BYTES
          + " bytes of JSON (1 MiB)");
    }
  }

  private static boolean tooDeep(JsonNode n, int depth, long[] size) {
    if (depth > MAX_DEPTH || size[0] > MAX_BYTES) {
      return depth > MAX_DEPTH;
    }
    if (n.isObject()) {
      size[0] += 2;
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        size[0] += e.getKey().length() + 4;
        if (tooDeep(e.getValue(), depth + 1, size)) {
          return true;
        }
      }
    } else if (n.isArray()) {
      size[0] += 2;
      for (int i = 0; i < n.size(); i++) {
        size[0] += 1;
        if (tooDeep(n.get(i), depth + 1, size)) {
          return true;
        }
      }
    } else if (n.isString()) {
      size[0] += n.stringValue().length() + 2;
    } else {
      size[0] += 8;
    }
    return false;
  }

  /** Where the nesting first goes past the limit, as a JSON Pointer (only built for the error message). */
  private static String deepest(JsonNode n, String p, int depth) {
    if (depth > MAX_DEPTH) {
      return p.isEmpty() ? "/" : p;
    }
    if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        String hit = deepest(e.getValue(), p + "/" + Change.escape(e.getKey()), depth + 1);
        if (hit != null) {
          return hit;
        }
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        String hit = deepest(n.get(i), p + "/" + i, depth + 1);
        if (hit != null) {
          return hit;
        }
      }
    }
    return null;
  }

  /**
   * {@code {"changes":[{"kind","class","pointer","before","after"}],"classification"}}. {@code before} and
   * {@code after} are always present, JSON null when that side is absent, so every change has the same shape.
   */
  public ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("changes", json(changes));
    root.put("classification", classification.wire());
    return root;
  }

  static ArrayNode json(List<Change> changes) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
    for (Change c : changes) {
      ObjectNode o = arr.addObject();
      o.put("kind", c.kind());
      o.put("class", c.changeClass().wire());
      o.put("pointer", c.pointer());
      o.set("before", c.before() == null ? JsonNodeFactory.instance.nullNode() : c.before());
      o.set("after", c.after() == null ? JsonNodeFactory.instance.nullNode() : c.after());
    }
    return arr;
  }
}
