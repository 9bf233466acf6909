package dev.aegis.pin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a publisher signs and a gateway pins for one server: its tools, prompts and resource templates, each list
 * sorted so the order a server lists them in never changes the manifest.
 *
 * <pre>{@code
 * ObjectNode m = Manifest.of("github", tools, List.of(), List.of());
 * // {"server":"github","tools":[...by name...],"prompts":[],"resourceTemplates":[]}
 * ObjectNode fromDisk = Manifest.fromFile(Path.of("tools.json"), "github");
 * }</pre>
 */
public final class Manifest {
  /** Larger files are refused before parsing: a manifest is a few hundred KiB at most. */
  public static final long MAX_FILE = 8L << 20;

  // duplicate keys would let two readers of one file see two different manifests
  static final JsonMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private Manifest() {}

  /** The manifest of {@code server}; entries are deep-copied, so later edits to the inputs do not leak in. */
  public static ObjectNode of(String server, List<JsonNode> tools, List<JsonNode> prompts,
      List<JsonNode> resourceTemplates) {
    if (server == null || server.isBlank()) {
      throw new IllegalArgumentException("a manifest needs a server name");
    }
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("server", server);
    m.set("tools", sorted("tools", tools, "name"));
    m.set("prompts", sorted("prompts", prompts, "name"));
    m.set("resourceTemplates", sorted("resourceTemplates", resourceTemplates, "uriTemplate"));
    return m;
  }

  /** {@link #fromFile(Path, String)} taking the server name from the file, which must then be a full manifest. */
  public static ObjectNode fromFile(Path file) {
    return fromFile(file, null);
  }

  /**
   * Reads a manifest from a JSON file holding a tools array, a {@code tools/list} result {@code {"tools":[...]}}, a
   * JSON-RPC response whose {@code result} is one, or a full manifest ({@code server}, {@code tools},
   * {@code prompts}, {@code resourceTemplates}, each optional but one list). {@code server}, when not null, wins over
   * the file's.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read, is too large, is not JSON or has
   *     another shape
   */
  public static ObjectNode fromFile(Path file, String server) {
    JsonNode root = read(file);
    if (root.isObject() && root.has("error") && !root.has("result")) {
      throw new IllegalArgumentException(file + ": a JSON-RPC error response, not a list of tools");
    }
    if (root.isObject() && root.has("result")) {
      root = root.get("result");
    }
    if (root.isArray()) {
      return of(serverOf(file, server, null), entries(file, "tools", root, "name"), List.of(), List.of());
    }
    if (!root.isObject() || !(root.has("tools") || root.has("prompts") || root.has("resourceTemplates"))) {
      throw new IllegalArgumentException(file + ": expected a JSON array of tools, a tools/list result"
          + " {\"tools\":[...]}, a JSON-RPC response holding one, or a manifest {\"server\",\"tools\",\"prompts\","
          + "\"resourceTemplates\"}");
    }
    JsonNode named = root.get("server");
    if (named != null && !named.isString()) {
      throw new IllegalArgumentException(file + ": 'server' must be a string");
    }
    return of(serverOf(file, server, named == null ? null : named.asString()),
        entries(file, "tools", root.get("tools"), "name"),
        entries(file, "prompts", root.get("prompts"), "name"),
        entries(file, "resourceTemplates", root.get("resourceTemplates"), "uriTemplate"));
  }

  /** What differs between the signed manifest and the offered one, by entry name: "tools changed: 'add'; ...". */
  static String drift(JsonNode signed, JsonNode offered) {
    List<String> parts = new ArrayList<>();
    String signedServer = signed.path("server").asString("");
    String offeredServer = offered.path("server").asString("");
    if (!signedServer.equals(offeredServer)) {
      parts.add("signed for server " + quote(signedServer) + ", not " + quote(offeredServer));
    }
    String[][] kinds = {{"tools", "name"}, {"prompts", "name"}, {"resourceTemplates", "uriTemplate"}};
    for (String[] kind : kinds) {
      Map<String, String> was = byKey(signed.get(kind[0]), kind[1]);
      Map<String, String> now = byKey(offered.get(kind[0]), kind[1]);
      List<String> added = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      List<String> changed = new ArrayList<>();
      now.forEach((k, v) -> {
        if (!was.containsKey(k)) {
          added.add(k);
        } else if (!was.get(k).equals(v)) {
          changed.add(k);
        }
      });
      was.keySet().stream().filter(k -> !now.containsKey(k)).forEach(removed::add);
      addNames(parts, kind[0] + " added (not signed)", added);
      addNames(parts, kind[0] + " removed", removed);
      addNames(parts, kind[0] + " changed", changed);
    }
    if (parts.isEmpty()) {
      // same entries by name yet different bytes: duplicates, or members outside the three lists
      return "the signed manifest differs from the offered one outside the named entries";
    }
    return String.join("; ", parts);
  }

  /** Entry key to canonical text; a duplicated key keeps every copy, so two copies differ from one. */
  private static Map<String, String> byKey(JsonNode list, String key) {
    Map<String, String> out = new TreeMap<>();
    if (list != null && list.isArray()) {
      for (JsonNode e : list) {
        String k = e.path(key).isString() ? e.get(key).asString() : e.path(key).toString();
        out.merge(k, Canonical.json(e), (a, b) -> a + "\n" + b);
      }
    }
    return out;
  }

  private static void addNames(List<String> parts, String label, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    int shown = Math.min(names.size(), 10);
    StringBuilder sb = new StringBuilder(label).append(": ");
    for (int i = 0; i < shown; i++) {
      sb.append(i == 0 ? "" : ", ").append(quote(names.get(i)));
    }
    if (names.size() > shown) {
      sb.append(" and ").append(names.size() - shown).append(" more");
    }
    parts.add(sb.toString());
  }

  /** Text from the header or a server's entry names, safe to print: control and format characters escaped. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("'");
    int shown = 0;
    for (int i = 0; i < s.length(); i++) {
      if (shown++ == 80) {
        out.append("...");
        break;
      }
      char c = s.charAt(i);
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE && !validSurrogate(s, i)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('\'').toString();
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  private static String serverOf(Path file, String given, String inFile) {
    String s = given != null ? given : inFile;
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(file + ": no server name in the file; give one");
    }
    return s;
  }

  private static List<JsonNode> entries(Path file, String kind, JsonNode list, String key) {
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException(file + ": '" + kind + "' must be an array");
    }
    List<JsonNode> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      if (!e.isObject() || !e.path(key).isString()) {
        throw new IllegalArgumentException(file + ": " + kind + "[" + i + "] is not an object with a string '"
            + key + "'");
      }
      out.add(e);
    }
    return out;
  }

  private static ArrayNode sorted(String kind, List<JsonNode> entries, String key) {
    Objects.requireNonNull(entries, kind);
    List<JsonNode> copy = new ArrayList<>(entries.size());
    for (JsonNode e : entries) {
      if (e == null || !e.isObject() || !e.path(key).isString()) {
        throw new IllegalArgumentException(kind + ": every entry must be an object with a string '" + key + "'");
      }
      copy.add(e.deepCopy());
    }
    // ties (a server listing one name twice) fall back to the canonical text, so the order is still total
    copy.sort(Comparator.comparing((JsonNode e) -> e.get(key).asString()).thenComparing(Canonical::json));
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    copy.forEach(out::add);
    return out;
  }

  private static JsonNode read(Path file) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // read one byte past the limit rather than trusting Files.size: the file may grow while we read
      bytes = in.readNBytes((int) MAX_FILE + 1);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (bytes.length > MAX_FILE) {
      throw new IllegalArgumentException(file + ": too large (over " + MAX_FILE + " bytes)");
    }
    try {
      return STRICT.readTree(bytes);
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw new IllegalArgumentException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
          + ": not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
