package dev.aegis.sandbox.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The {@code snapshots:} section: which servers write into which workspaces, and how snapshots are bounded.
 *
 * <pre>{@code
 * snapshots:
 *   dir: ~/.aegis/snapshots   # default $AEGIS_HOME/snapshots
 *   calls: writes             # writes (tools whose readOnlyHint is not true) | all
 *   keep: 50                  # snapshots kept per workspace
 *   maxFiles: 20000           # entries per workspace
 *   maxBytes: 512MiB          # bytes of files per workspace (a number, or KiB/MiB/GiB)
 *   onLimit: refuse           # refuse (block the call) | skip (run it without a snapshot)
 *   rollbackOnBlock: true     # a call whose result a later guard blocks is rolled back
 *   exclude: [.git]           # relative paths left out of every workspace
 *   workspaces:
 *     fs: [./project, /srv/data]   # server name -> its writable paths, relative to the config file
 * }</pre>
 *
 * @param workspaces server name → the directories it writes into (absolute, normalised)
 * @param dir the state directory, or null for {@code $AEGIS_HOME/snapshots}
 * @param allCalls snapshot before every call, not only before tools that are not annotated read-only
 * @param skipOnLimit run a call without a snapshot when a workspace exceeds a limit (else the call is refused)
 * @param rollbackOnBlock restore the workspaces when a guard blocks a call's result after the call ran
 */
public record SnapshotConfig(Map<String, List<Path>> workspaces, Path dir, boolean allCalls, int keep, int maxFiles,
    long maxBytes, boolean skipOnLimit, boolean rollbackOnBlock, List<String> exclude) {

  private static final Set<String> KEYS = Set.of("dir", "calls", "keep", "maxFiles", "maxBytes", "onLimit",
      "rollbackOnBlock", "exclude", "workspaces");

  public SnapshotConfig {
    Map<String, List<Path>> copy = new LinkedHashMap<>();
    workspaces.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    workspaces = java.util.Collections.unmodifiableMap(copy);
    exclude = List.copyOf(exclude);
    new Workspace.Options(maxFiles, maxBytes, keep, exclude, Duration.ofSeconds(2), java.time.Clock.systemUTC());
  }

  /** No workspaces: the guard does nothing. */
  public static final SnapshotConfig NONE = new SnapshotConfig(Map.of(), null, false,
      Workspace.Options.DEFAULT.keep(), Workspace.Options.DEFAULT.maxFiles(), Workspace.Options.DEFAULT.maxBytes(),
      false, true, List.of());

  /** The options each workspace is opened with. */
  public Workspace.Options options() {
    return new Workspace.Options(maxFiles, maxBytes, keep, exclude, Workspace.Options.DEFAULT.racyWindow(),
        java.time.Clock.systemUTC());
  }

  /**
   * Reads the section from a parsed YAML or JSON tree; relative paths are resolved against {@code base} (the
   * configuration file's directory).
   *
   * @throws IllegalArgumentException naming every invalid field, one per line, as {@code snapshots.field: problem}
   */
  public static SnapshotConfig parse(JsonNode node, Path base) {
    List<String> errors = new ArrayList<>();
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NONE;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("snapshots: must be a mapping");
    }
    for (String key : node.propertyNames()) {
      if (!KEYS.contains(key)) {
        errors.add("snapshots." + key + ": unknown setting (known: " + String.join(", ", new java.util.TreeSet<>(KEYS))
            + ")");
      }
    }
    Path dir = null;
    if (node.has("dir")) {
      dir = path(node.get("dir"), base, "snapshots.dir", errors);
    }
    String calls = text(node, "calls", "writes", errors);
    if (!calls.equals("writes") && !calls.equals("all")) {
      errors.add("snapshots.calls: must be writes or all, was '" + calls + "'");
    }
    String onLimit = text(node, "onLimit", "refuse", errors);
    if (!onLimit.equals("refuse") && !onLimit.equals("skip")) {
      errors.add("snapshots.onLimit: must be refuse or skip, was '" + onLimit + "'");
    }
    int keep = (int) number(node, "keep", Workspace.Options.DEFAULT.keep(), 1, 100_000, errors);
    int maxFiles = (int) number(node, "maxFiles", Workspace.Options.DEFAULT.maxFiles(), 1, 10_000_000, errors);
    long maxBytes = bytes(node, "maxBytes", Workspace.Options.DEFAULT.maxBytes(), errors);
    boolean rollbackOnBlock = true;
    if (node.has("rollbackOnBlock")) {
      if (node.get("rollbackOnBlock").isBoolean()) {
        rollbackOnBlock = node.get("rollbackOnBlock").asBoolean();
      } else {
        errors.add("snapshots.rollbackOnBlock: must be true or false");
      }
    }
    List<String> exclude = new ArrayList<>();
    for (JsonNode e : list(node.path("exclude"), "snapshots.exclude", errors)) {
      String s = e.isString() ? e.asString() : "";
      try {
        Manifest.checkPath(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        exclude.add(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
      } catch (IllegalArgumentException bad) {
        errors.add("snapshots.exclude: '" + e.asString("") + "' must be a relative path inside the workspace");
      }
    }
    Map<String, List<Path>> workspaces = new LinkedHashMap<>();
    JsonNode ws = node.path("workspaces");
    if (!ws.isMissingNode() && !ws.isObject()) {
      errors.add("snapshots.workspaces: must map server names to lists of paths");
    } else if (ws.isObject()) {
      for (Map.Entry<String, JsonNode> e : ws.properties()) {
        String where = "snapshots.workspaces." + e.getKey();
        List<Path> paths = new ArrayList<>();
        JsonNode v = e.getValue().isString() ? tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode()
            .add(e.getValue()) : e.getValue();
        for (JsonNode p : list(v, where, errors)) {
          Path resolved = path(p, base, where, errors);
          if (resolved != null) {
            paths.add(resolved);
          }
        }
        if (paths.isEmpty() && errors.isEmpty()) {
          errors.add(where + ": needs at least one path");
        }
        workspaces.put(e.getKey(), paths);
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", errors));
    }
    return new SnapshotConfig(workspaces, dir, calls.equals("all"), keep, maxFiles, maxBytes,
        onLimit.equals("skip"), rollbackOnBlock, exclude);
  }

  private static String text(JsonNode node, String key, String dflt, List<String> errors) {
    JsonNode v = node.get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isString()) {
      errors.add("snapshots." + key + ": must be a string");
      return dflt;
    }
    return v.asString().toLowerCase(Locale.ROOT);
  }

  private static long number(JsonNode node, String key, long dflt, long min, long max, List<String> errors) {
    JsonNode v = node.get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      errors.add("snapshots." + key + ": must be a whole number from " + min + " to " + max + ", was " + v);
      return dflt;
    }
    return v.asLong();
  }

  /** A byte count: a whole number, or a number with B, KiB, MiB or GiB (KB, MB, GB read as the same). */
  static long bytes(JsonNode node, String key, long dflt, List<String> errors) {
    JsonNode v = node.get(key);
    if (v == null) {
      return dflt;
    }
    if (v.isIntegralNumber() && v.asLong() >= 0) {
      return v.asLong();
    }
    String s = v.isString() ? v.asString().trim() : "";
    int i = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    String unit = s.substring(i).trim().toUpperCase(Locale.ROOT);
    long shift = switch (unit) {
      case "", "B" -> 0;
      case "K", "KB", "KIB" -> 10;
      case "M", "MB", "MIB" -> 20;
      case "G", "GB", "GIB" -> 30;
      default -> -1;
    };
    if (i == 0 || i > 12 || shift < 0) {
      errors.add("snapshots." + key + ": must be a byte count such as 1048576 or 512MiB, was " + v);
      return dflt;
    }
    return Long.parseLong(s.substring(0, i)) << shift;
  }

  private static List<JsonNode> list(JsonNode v, String where, List<String> errors) {
    List<JsonNode> out = new ArrayList<>();
    if (v.isMissingNode() || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      errors.add(where + ": must be a list");
      return out;
    }
    v.forEach(out::add);
    return out;
  }

  private static Path path(JsonNode v, Path base, String where, List<String> errors) {
    if (!v.isString() || v.asString().isBlank()) {
      errors.add(where + ": must be a path, was " + v);
      return null;
    }
    String s = v.asString();
    Path home = Path.of(System.getProperty("user.home"));
    Path p = s.equals("~") ? home : s.startsWith("~/") ? home.resolve(s.substring(2)) : Path.of(s);
    return (p.isAbsolute() ? p : base.resolve(p)).toAbsolutePath().normalize();
  }
}
