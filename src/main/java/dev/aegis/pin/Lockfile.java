package dev.aegis.pin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * {@code aegis.lock}: what each MCP server is allowed to offer, meant to be reviewed in git. Per server: its identity
 * (how it is launched and the name it gives itself), the protocol version it spoke, and per tool, prompt and
 * resource template the definition, its fingerprint, its version and who approved it when. Changes that the gateway
 * saw but nobody approved yet sit under {@code held}, with what changed, until {@code aegis approve} moves them up.
 *
 * <p>YAML with a fixed key order and names sorted, so that a change shows as a small diff. Written atomically
 * (temporary file, then rename); see {@link PinStore} for locking between processes.
 *
 * <pre>{@code
 * Lockfile lock = Lockfile.read(Path.of("aegis.lock"));       // empty if the file does not exist
 * Lockfile.Server s = lock.server("github");                  // null if not pinned
 * lock.write(Path.of("aegis.lock"));
 * }</pre>
 */
public final class Lockfile {
  public static final int FORMAT = 1;
  static final String HEADER = "# Aegis lockfile: the MCP tools, prompts and resource templates each server may offer.\n"
      + "# Review changes like code. `aegis approve SERVER[/NAME]` accepts what is held; `aegis pin` records a server.\n";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
      .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
      .build();
  /** Lockfiles are read by the gateway on every change; a hostile or broken one must not exhaust memory. */
  static final long MAX_BYTES = 64L << 20;

  /** What a definition is; each kind has its own section and its own name field. */
  public enum Kind {
    TOOL("tools", "tool", "name"),
    PROMPT("prompts", "prompt", "name"),
    TEMPLATE("resourceTemplates", "resource template", "uriTemplate");

    private final String section;
    private final String label;
    private final String nameField;

    Kind(String section, String label, String nameField) {
      this.section = section;
      this.label = label;
      this.nameField = nameField;
    }

    /** The lockfile section and the list result field: tools, prompts, resourceTemplates. */
    public String section() {
      return section;
    }

    public String label() {
      return label;
    }

    /** The definition's name: {@code name}, or {@code uriTemplate} for templates. */
    public String nameOf(JsonNode definition) {
      return definition.path(nameField).asString("");
    }

    /** The kind whose list method is {@code method} (tools/list, prompts/list, resources/templates/list), or null. */
    public static Kind ofListMethod(String method) {
      return switch (method) {
        case "tools/list" -> TOOL;
        case "prompts/list" -> PROMPT;
        case "resources/templates/list" -> TEMPLATE;
        default -> null;
      };
    }

    static Kind ofKey(String key) {
      for (Kind k : values()) {
        if (k.section.equals(key) || k.name().equalsIgnoreCase(key) || k.label.equals(key)) {
          return k;
        }
      }
      return null;
    }
  }

  /** Who accepted a definition and when (ISO-8601 instant). */
  public record Approval(String by, String at) {}

  /** An approved definition. */
  public record Pin(String fingerprint, String version, Approval approved, JsonNode definition) {}

  /**
   * A definition the gateway saw that differs from what is approved (or is new): held until approved.
   *
   * @param classification the semantic diff's class against the approved definition ("new" when there was none)
   * @param reasons one line per notable change, for people reading the lockfile or the error
   */
  public record Held(String fingerprint, String version, String seen, String classification, List<String> reasons,
      JsonNode definition) {
    public Held {
      reasons = List.copyOf(reasons);
    }
  }

  /** One server's pinned state; mutable, guarded by whoever owns the lockfile (see {@link PinStore}). */
  public static final class Server {
    private Identity identity;
    private String protocolVersion;
    private final Map<Kind, TreeMap<String, Pin>> pins = new EnumMap<>(Kind.class);
    private final Map<Kind, TreeMap<String, Held>> held = new EnumMap<>(Kind.class);
    /** A different identity seen for this server name, held until approved; null when none. */
    private Identity heldIdentity;
    /** The kinds of definition this server has been listed for (first sight is per kind under trust on first use). */
    private final java.util.EnumSet<Kind> seen = java.util.EnumSet.noneOf(Kind.class);

    public Server(Identity identity, String protocolVersion) {
      this.identity = identity;
      this.protocolVersion = protocolVersion;
      for (Kind k : Kind.values()) {
        pins.put(k, new TreeMap<>());
        held.put(k, new TreeMap<>());
      }
    }

    public Identity identity() {
      return identity;
    }

    public void identity(Identity id) {
      this.identity = id;
    }

    public String protocolVersion() {
      return protocolVersion;
    }

    public void protocolVersion(String v) {
      this.protocolVersion = v;
    }

    public Map<String, Pin> pins(Kind kind) {
      return pins.get(kind);
    }

    public Map<String, Held> held(Kind kind) {
      return held.get(kind);
    }

    public Identity heldIdentity() {
      return heldIdentity;
    }

    public void heldIdentity(Identity id) {
      this.heldIdentity = id;
    }

    /** Listed before: marked so, or holding approved definitions of that kind. */
    public boolean seen(Kind kind) {
      return seen.contains(kind) || !pins.get(kind).isEmpty();
    }

    public void markSeen(Kind kind) {
      seen.add(kind);
    }

    /** True when something waits for approval. */
    public boolean holdsAnything() {
      return heldIdentity != null || held.values().stream().anyMatch(m -> !m.isEmpty());
    }
  }

  private final TreeMap<String, Server> servers = new TreeMap<>();

  /** A lockfile with no servers. */
  public static Lockfile empty() {
    return new Lockfile();
  }

  public Map<String, Server> servers() {
    return servers;
  }

  /** The server pinned under {@code name}, or null. */
  public Server server(String name) {
    return servers.get(name);
  }

  public void put(String name, Server server) {
    servers.put(name, server);
  }

  // ---------------------------------------------------------------------------------------------- reading

  /**
   * Reads {@code file}; a missing file is an empty lockfile.
   *
   * @throws IllegalArgumentException with the file name and what is wrong when it is not a valid lockfile
   */
  public static Lockfile read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return empty();
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new IllegalArgumentException(file + ": larger than " + (MAX_BYTES >> 20) + " MiB; not a lockfile");
    }
    return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Parses lockfile text; {@code source} names it in errors. */
  public static Lockfile parse(String source, String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(source + ": not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")" : ""));
    }
    Lockfile lock = new Lockfile();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return lock;
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(source + ": a lockfile is a mapping with 'lockfileVersion' and 'servers'");
    }
    int format = root.path("lockfileVersion").asInt(-1);
    if (format != FORMAT) {
      throw new IllegalArgumentException(source + ": lockfileVersion " + root.path("lockfileVersion")
          + " is not supported (this Aegis reads " + FORMAT + ")");
    }
    JsonNode servers = root.path("servers");
    if (!servers.isMissingNode() && !servers.isNull() && !servers.isObject()) {
      throw new IllegalArgumentException(source + ": 'servers' must be a mapping of server name to its pins");
    }
    for (Map.Entry<String, JsonNode> e : servers.properties()) {
      String where = source + ": servers." + e.getKey();
      JsonNode s = e.getValue();
      if (!s.isObject()) {
        throw new IllegalArgumentException(where + " must be a mapping");
      }
      Server server = new Server(Identity.fromJson(s.path("identity"), where + ".identity"),
          text(s, "protocolVersion"));
      for (JsonNode k : s.path("seen")) {
        Kind kind = Kind.ofKey(k.asString(""));
        if (kind == null) {
          throw new IllegalArgumentException(where + ".seen: '" + k.asString("") + "' is not tools, prompts or"
              + " resourceTemplates");
        }
        server.markSeen(kind);
      }
      for (Kind k : Kind.values()) {
        for (Map.Entry<String, JsonNode> p : section(s.path(k.section()), where + "." + k.section())) {
          JsonNode v = p.getValue();
          String fp = requireText(v, "fingerprint", where + "." + k.section() + "." + p.getKey());
          JsonNode approved = v.path("approved");
          server.pins(k).put(p.getKey(), new Pin(fp, text(v, "version"),
              approved.isObject() ? new Approval(text(approved, "by"), text(approved, "at")) : null,
              v.path("definition").isObject() ? v.get("definition") : null));
        }
      }
      for (Kind k : Kind.values()) {
        if (!server.pins(k).isEmpty()) {
          server.markSeen(k); // lockfiles written before 'seen' existed
        }
      }
      JsonNode held = s.path("held");
      if (held.isObject()) {
        if (held.path("identity").isObject()) {
          server.heldIdentity(Identity.fromJson(held.get("identity"), where + ".held.identity"));
        }
        for (Kind k : Kind.values()) {
          for (Map.Entry<String, JsonNode> p : section(held.path(k.section()), where + ".held." + k.section())) {
            JsonNode v = p.getValue();
            List<String> reasons = new ArrayList<>();
            v.path("reasons").forEach(r -> reasons.add(r.asString("")));
            server.held(k).put(p.getKey(), new Held(requireText(v, "fingerprint", where + ".held." + p.getKey()),
                text(v, "version"), text(v, "seen"), text(v, "classification"), reasons,
                v.path("definition").isObject() ? v.get("definition") : null));
          }
        }
      }
      lock.servers.put(e.getKey(), server);
    }
    return lock;
  }

  private static Iterable<Map.Entry<String, JsonNode>> section(JsonNode node, String where) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be a mapping of name to pin");
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isObject()) {
        throw new IllegalArgumentException(where + "." + e.getKey() + " must be a mapping with a fingerprint");
      }
    }
    return node.properties();
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isValueNode() && !v.isNull() ? v.asString() : null;
  }

  private static String requireText(JsonNode node, String field, String where) {
    String v = text(node, field);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(where + " needs '" + field + "'");
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------- writing

  /** The lockfile as YAML text, header comment first. */
  public String text() {
    ObjectNode root = NODES.objectNode();
    root.put("lockfileVersion", FORMAT);
    ObjectNode out = root.putObject("servers");
    servers.forEach((name, s) -> {
      ObjectNode o = out.putObject(name);
      if (s.identity() != null) {
        o.set("identity", s.identity().toJson());
      }
      if (s.protocolVersion() != null) {
        o.put("protocolVersion", s.protocolVersion());
      }
      ArrayNode seenKinds = o.putArray("seen");
      for (Kind k : Kind.values()) {
        if (s.seen(k)) {
          seenKinds.add(k.section());
        }
      }
      for (Kind k : Kind.values()) {
        if (s.pins(k).isEmpty()) {
          continue;
        }
        ObjectNode section = o.putObject(k.section());
        s.pins(k).forEach((n, p) -> {
          ObjectNode pin = section.putObject(n);
          pin.put("fingerprint", p.fingerprint());
          if (p.version() != null) {
            pin.put("version", p.version());
          }
          if (p.approved() != null) {
            ObjectNode a = pin.putObject("approved");
            a.put("by", p.approved().by());
            a.put("at", p.approved().at());
          }
          if (p.definition() != null) {
            pin.set("definition", p.definition());
          }
        });
      }
      if (s.holdsAnything()) {
        ObjectNode held = o.putObject("held");
        if (s.heldIdentity() != null) {
          held.set("identity", s.heldIdentity().toJson());
        }
        for (Kind k : Kind.values()) {
          if (s.held(k).isEmpty()) {
            continue;
          }
          ObjectNode section = held.putObject(k.section());
          s.held(k).forEach((n, h) -> {
            ObjectNode x = section.putObject(n);
            x.put("fingerprint", h.fingerprint());
            if (h.version() != null) {
              x.put("version", h.version());
            }
            x.put("seen", h.seen());
            x.put("classification", h.classification());
            ArrayNode reasons = x.putArray("reasons");
            h.reasons().forEach(reasons::add);
            if (h.definition() != null) {
              x.set("definition", h.definition());
            }
          });
        }
      }
    });
    return HEADER + YAML.writeValueAsString(root);
  }

  /** Writes the lockfile atomically: a temporary file beside it, then a rename over it. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, text(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
