package dev.aegis.pin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The difference between two {@code tools/list} results: tools matched by name, each compared with
 * {@link ToolDiff}. A removed tool and an added tool whose definitions are equal except the name are one
 * {@code renamed} change (breaking) rather than a removal and an addition. Only tools with at least one change are
 * listed; the old name is the entry's name for removed and renamed tools.
 *
 * <pre>{@code
 * ListDiff d = ListDiff.of(pinnedTools, currentTools);
 * for (ListDiff.Entry e : d.tools()) { System.out.println(e.name() + ": " + e.diff().classification().wire()); }
 * }</pre>
 *
 * @param tools one entry per changed tool: old tools in their order, then added tools in theirs
 * @param classification the highest class of any change
 */
public record ListDiff(List<Entry> tools, ChangeClass classification) {
  public ListDiff {
    tools = List.copyOf(tools);
    if (classification == null) {
      throw new IllegalArgumentException("a diff needs a classification");
    }
  }

  /** One tool's changes. */
  public record Entry(String name, ToolDiff diff) {
    public Entry {
      if (name == null || diff == null) {
        throw new IllegalArgumentException("an entry needs a name and a diff");
      }
    }
  }

  /**
   * Compares two lists of tool definitions.
   *
   * @throws IllegalArgumentException when a definition has no string name, a name occurs twice in one list, or a
   *     definition is too large or deep (see {@link ToolDiff})
   */
  public static ListDiff of(List<JsonNode> before, List<JsonNode> after) {
    Map<String, JsonNode> old = byName("old", before);
    Map<String, JsonNode> now = byName("new", after);
    // Rename candidates: added tools indexed by their definition without the name.
    Map<String, ArrayDeque<String>> addedByBody = new HashMap<>();
    for (String name : now.keySet()) {
      if (!old.containsKey(name)) {
        addedByBody.computeIfAbsent(body(now.get(name)), k -> new ArrayDeque<>()).add(name);
      }
    }
    Map<String, String> renamedTo = new HashMap<>();
    for (String name : old.keySet()) {
      if (!now.containsKey(name)) {
        ArrayDeque<String> same = addedByBody.get(body(old.get(name)));
        if (same != null && !same.isEmpty()) {
          renamedTo.put(name, same.poll());
        }
      }
    }
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : old.entrySet()) {
      String target = now.containsKey(e.getKey()) ? e.getKey() : renamedTo.get(e.getKey());
      keep(entries, e.getKey(), ToolDiff.of(e.getValue(), target == null ? null : now.get(target)));
    }
    for (Map.Entry<String, JsonNode> e : now.entrySet()) {
      if (!old.containsKey(e.getKey()) && !renamedTo.containsValue(e.getKey())) {
        keep(entries, e.getKey(), ToolDiff.of(null, e.getValue()));
      }
    }
    ChangeClass c = ChangeClass.NONE;
    for (Entry e : entries) {
      c = c.max(e.diff().classification());
    }
    return new ListDiff(entries, c);
  }

  private static void keep(List<Entry> entries, String name, ToolDiff d) {
    if (!d.changes().isEmpty()) {
      entries.add(new Entry(name, d));
    }
  }

  private static Map<String, JsonNode> byName(String which, List<JsonNode> tools) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (int i = 0; i < tools.size(); i++) {
      JsonNode t = tools.get(i);
      ToolDiff.checkBounds(which + " tool " + i, t);
      if (!t.path("name").isString()) {
        throw new IllegalArgumentException("the " + which + " tool " + i + " has no string 'name'");
      }
      if (m.put(t.get("name").asString(), t) != null) {
        throw new IllegalArgumentException("the " + which + " list has two tools named '" + t.get("name").asString()
            + "'");
      }
    }
    return m;
  }

  private static String body(JsonNode tool) {
    ObjectNode copy = ((ObjectNode) tool).deepCopy();
    copy.remove("name");
    return copy.toString();
  }

  /** Every change of every tool, its pointer prefixed with {@code /tools/<escaped name>}. */
  public List<Change> changes() {
    List<Change> all = new ArrayList<>();
    for (Entry e : tools) {
      String prefix = "/tools/" + Change.escape(e.name());
      for (Change c : e.diff().changes()) {
        all.add(c.under(prefix));
      }
    }
    return all;
  }

  /**
   * {@code {"tools":[{"name","changes":[...],"classification"}],"changes":[...],"classification"}}: per tool with
   * pointers into that tool, then all changes with pointers prefixed by {@code /tools/<escaped name>}.
   */
  public ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = root.putArray("tools");
    for (Entry e : tools) {
      ObjectNode o = arr.addObject();
      o.put("name", e.name());
      o.set("changes", ToolDiff.json(e.diff().changes()));
      o.put("classification", e.diff().classification().wire());
    }
    root.set("changes", ToolDiff.json(changes()));
    root.put("classification", classification.wire());
    return root;
  }
}
