package dev.aegis.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a gateway configuration: Aegis's YAML, or the {@code mcpServers} / {@code servers} JSON that Claude Desktop,
 * Cursor and VS Code use (JSON is YAML, so one parser reads both). Validation and defaults live here and nowhere
 * else. Every problem is collected and reported as {@code file:line:col: message}; unknown keys are warnings, since
 * client files carry keys of their own.
 *
 * <pre>{@code
 * servers:
 *   everything:
 *     command: npx
 *     args: ["-y", "@modelcontextprotocol/server-everything"]
 *   remote:
 *     url: https://mcp.example.com/mcp
 *     headers: { Authorization: "Bearer ..." }
 *     prefix: rem
 * gateway:
 *   maxMessageBytes: 4194304
 *   requestTimeout: 120s
 * }</pre>
 */
public final class ConfigLoader {
  private static final Set<String> SERVER_KEYS = Set.of("command", "args", "env", "cwd", "url", "headers", "type",
      "prefix", "disabled", "builtin", "sandbox");
  private static final Set<String> GATEWAY_KEYS = Set.of("maxMessageBytes", "requestTimeout", "startupTimeout",
      "maxRestartBackoff", "allowedOrigins", "pageSize", "maxSessions");
  private static final Set<String> TOP_KEYS = Set.of("servers", "mcpServers", "gateway", "inputs", "scan", "pin",
      "identity", "policy", "trust", "memory", "sandbox",
      "snapshots");
  private static final Set<String> PIN_KEYS = Set.of("mode", "lockfile", "require", "trust", "signatures", "unsigned",
      "badSignature");
  private static final Set<String> SCAN_KEYS = Set.of("definitions", "outputs", "warnAt", "blockAt",
      "maxOutputChars", "rules");

  private final String file;
  private final Map<String, TokenStreamLocation> locations;
  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  /** Each server's {@code sandbox:} choice and where it was written, checked once the profiles are known. */
  private final Map<String, String> serverSandbox = new LinkedHashMap<>();
  private final Map<String, String> serverSandboxAt = new HashMap<>();

  private ConfigLoader(String file, Map<String, TokenStreamLocation> locations) {
    this.file = file;
    this.locations = locations;
  }

  /** The configuration plus warnings worth showing (unknown keys, disabled servers). */
  public record Loaded(GatewayConfig config, List<String> warnings) {}

  public static Loaded load(Path path) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new ConfigException(List.of(path + ": cannot read: " + e.getMessage()));
    }
    return parse(path.toString(), bytes);
  }

  public static Loaded parse(String file, byte[] bytes) throws ConfigException {
    // JSON (a host's file) goes to the JSON parser: YAML refuses the tabs many JSON files are indented with
    tools.jackson.databind.ObjectMapper mapper = looksLikeJson(bytes) ? new tools.jackson.databind.json.JsonMapper()
        : new YAMLMapper();
    JsonNode root;
    Map<String, TokenStreamLocation> locations = new HashMap<>();
    try (JsonParser p = mapper.createParser(bytes)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
          locations.putIfAbsent(p.streamReadContext().pathAsPointer().toString(), p.currentTokenLocation());
        }
      }
      root = mapper.readTree(bytes);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where = at == null ? file : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new ConfigException(List.of(where + ": not valid YAML or JSON: " + e.getOriginalMessage()));
    }
    ConfigLoader loader = new ConfigLoader(file, locations);
    GatewayConfig config = loader.read(root);
    if (!loader.errors.isEmpty()) {
      throw new ConfigException(loader.errors);
    }
    return new Loaded(config, List.copyOf(loader.warnings));
  }

  private static boolean looksLikeJson(byte[] bytes) {
    for (byte b : bytes) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  private GatewayConfig read(JsonNode root) {
    if (root == null || !root.isObject()) {
      error("", "the configuration must be a mapping with a 'servers' (or 'mcpServers') section");
      return null;
    }
    for (String key : root.propertyNames()) {
      if (!TOP_KEYS.contains(key)) {
        warn("/" + key, "unknown key '" + key + "' ignored");
      }
    }
    String section = root.has("mcpServers") ? "mcpServers" : "servers";
    if (root.has("mcpServers") && root.has("servers")) {
      error("/servers", "give either 'servers' or 'mcpServers', not both");
    }
    JsonNode serversNode = root.get(section);
    List<ServerConfig> servers = new ArrayList<>();
    if (serversNode == null || !serversNode.isObject()) {
      error(serversNode == null ? "" : "/" + section, "'" + section + "' must be a mapping of server name to server");
    } else {
      Map<String, String> prefixes = new HashMap<>();
      for (Map.Entry<String, JsonNode> e : serversNode.properties()) {
        String at = "/" + section + "/" + escape(e.getKey());
        ServerConfig s = server(e.getKey(), e.getValue(), at);
        if (s == null) {
          continue;
        }
        if (!s.prefix().isEmpty()) {
          String other = prefixes.putIfAbsent(s.prefix().toLowerCase(Locale.ROOT), s.name());
          if (other != null) {
            error(at, "server '" + s.name() + "' has the namespace prefix '" + s.prefix() + "' that server '" + other
                + "' already uses; give one of them another 'prefix'");
          }
        }
        servers.add(s);
      }
    }
    JsonNode g = root.path("gateway");
    if (!g.isMissingNode() && !g.isObject()) {
      error("/gateway", "'gateway' must be a mapping");
      g = tools.jackson.databind.node.MissingNode.getInstance();
    }
    for (String key : g.propertyNames()) {
      if (!GATEWAY_KEYS.contains(key)) {
        warn("/gateway/" + key, "unknown gateway setting '" + key + "' ignored");
      }
    }
    int maxBytes = intSetting(g, "maxMessageBytes", GatewayConfig.DEFAULT_MAX_MESSAGE_BYTES, 1024, 256 * 1024 * 1024);
    Duration requestTimeout = duration(g, "requestTimeout", Duration.ofSeconds(120));
    Duration startupTimeout = duration(g, "startupTimeout", Duration.ofSeconds(30));
    Duration backoff = duration(g, "maxRestartBackoff", Duration.ofSeconds(30));
    int pageSize = intSetting(g, "pageSize", 0, 0, 100_000);
    int maxSessions = intSetting(g, "maxSessions", GatewayConfig.DEFAULT_MAX_SESSIONS, 1, 100_000);
    List<String> origins = new ArrayList<>();
    JsonNode o = g.path("allowedOrigins");
    if (o.isArray()) {
      for (int i = 0; i < o.size(); i++) {
        if (o.get(i).isString()) {
          origins.add(o.get(i).stringValue());
        } else {
          error("/gateway/allowedOrigins/" + i, "an origin must be a string like https://app.example.com");
        }
      }
    } else if (!o.isMissingNode()) {
      error("/gateway/allowedOrigins", "'allowedOrigins' must be a list of strings");
    }
    ScanConfig scan = scan(root.path("scan"));
    PinConfig pin = pin(root.path("pin"));
    AccessConfig access = new AccessConfig(identity(root.path("identity")), policy(root.path("policy")),
        trust(root.path("trust")));
    MemoryConfig memory = memory(root.path("memory"), Path.of(file).toAbsolutePath().getParent());
    SandboxConfig sandbox = sandbox(root.path("sandbox"), Path.of(file).toAbsolutePath().getParent());
    dev.aegis.sandbox.snapshot.SnapshotConfig snapshots = dev.aegis.sandbox.snapshot.SnapshotConfig.NONE;
    try {
      snapshots = dev.aegis.sandbox.snapshot.SnapshotConfig.parse(root.path("snapshots"),
          Path.of(file).toAbsolutePath().getParent());
    } catch (IllegalArgumentException e) {
      // each line names its field ("snapshots.keep: ..."): placed at that field, or the nearest enclosing one
      e.getMessage().lines().forEach(line -> {
        int colon = line.indexOf(": ");
        String field = colon > 0 ? line.substring(0, colon) : "snapshots";
        error("/" + field.replace('.', '/'), line);
      });
    }
    if (!errors.isEmpty()) {
      return null;
    }
    return new GatewayConfig(servers, maxBytes, requestTimeout, startupTimeout, backoff, origins, pageSize,
        maxSessions, scan, pin, access, memory, sandbox, snapshots);
  }

  private JsonNode section(JsonNode node, String name, Set<String> keys) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      error("/" + name, "'" + name + "' must be a mapping (see docs/access.md)");
      return null;
    }
    for (String key : node.propertyNames()) {
      if (!keys.contains(key)) {
        warn("/" + name + "/" + key, "unknown " + name + " setting '" + key + "' ignored");
      }
    }
    return node;
  }

  private List<String> strings(JsonNode node, String at) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      error(at, "must be a list of strings");
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      if (node.get(i).isString() && !node.get(i).stringValue().isBlank()) {
        out.add(node.get(i).stringValue().trim());
      } else {
        error(at + "/" + i, "must be a non-empty string");
      }
    }
    return out;
  }

  private String text(JsonNode node, String key, String at, String fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isString() || v.stringValue().isBlank()) {
      error(at + "/" + key, "'" + key + "' must be a non-empty string");
      return fallback;
    }
    return v.stringValue().trim();
  }

  private AccessConfig.Identity identity(JsonNode node) {
    JsonNode n = section(node, "identity", Set.of("stdio", "stdioGroups", "anonymous", "keys", "oauth"));
    if (n == null) {
      return AccessConfig.Identity.DEFAULT;
    }
    String stdio = text(n, "stdio", "/identity", "local");
    List<String> stdioGroups = strings(n.get("stdioGroups"), "/identity/stdioGroups");
    boolean anonymous = n.path("anonymous").asBoolean(false);
    if (n.has("anonymous") && !n.get("anonymous").isBoolean()) {
      error("/identity/anonymous", "'anonymous' must be true or false");
    }
    List<AccessConfig.Key> keys = new ArrayList<>();
    JsonNode k = n.path("keys");
    if (k.isArray()) {
      for (int i = 0; i < k.size(); i++) {
        JsonNode e = k.get(i);
        String at = "/identity/keys/" + i;
        String hash = e.path("hash").isString() ? e.path("hash").stringValue() : null;
        String principal = e.path("principal").isString() ? e.path("principal").stringValue() : null;
        if (hash == null || !isSha256(hash)) {
          error(at, "a key needs 'hash: sha256:<64 hex>' (`aegis keys new` prints one; never put the key itself here)");
          continue;
        }
        if (principal == null || principal.isBlank()) {
          error(at, "a key needs 'principal': who it stands for");
          continue;
        }
        keys.add(new AccessConfig.Key(hash, principal.trim(), strings(e.get("groups"), at + "/groups")));
      }
    } else if (!k.isMissingNode() && !k.isNull()) {
      error("/identity/keys", "'keys' must be a list of {hash, principal, groups}");
    }
    AccessConfig.OAuth oauth = null;
    JsonNode o = n.path("oauth");
    if (o.isObject()) {
      String issuer = text(o, "issuer", "/identity/oauth", null);
      String jwks = text(o, "jwks", "/identity/oauth", null);
      String resource = text(o, "resource", "/identity/oauth", null);
      if (issuer == null || jwks == null || resource == null) {
        error("/identity/oauth", "oauth needs issuer, jwks (the JWKS URL) and resource (this gateway's MCP URL)");
      } else {
        List<String> servers = strings(o.get("authorizationServers"), "/identity/oauth/authorizationServers");
        oauth = new AccessConfig.OAuth(issuer, jwks, resource, strings(o.get("scopes"), "/identity/oauth/scopes"),
            text(o, "groupsClaim", "/identity/oauth", "groups"), servers.isEmpty() ? List.of(issuer) : servers);
      }
    } else if (!o.isMissingNode() && !o.isNull()) {
      error("/identity/oauth", "'oauth' must be a mapping");
    }
    return new AccessConfig.Identity(stdio, stdioGroups, anonymous, keys, oauth);
  }

  private static boolean isSha256(String s) {
    return s.length() == 71 && s.startsWith("sha256:")
        && s.substring(7).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  private AccessConfig.Policy policy(JsonNode node) {
    JsonNode n = section(node, "policy", Set.of("file", "secrets", "results", "validateArguments"));
    if (n == null) {
      return AccessConfig.Policy.DEFAULT;
    }
    Path base = Path.of(file).toAbsolutePath().getParent();
    String f = text(n, "file", "/policy", null);
    boolean validate = n.path("validateArguments").asBoolean(true);
    if (n.has("validateArguments") && !n.get("validateArguments").isBoolean()) {
      error("/policy/validateArguments", "'validateArguments' must be true or false");
    }
    return new AccessConfig.Policy(f == null ? null : resolve(base, f),
        choice("/policy", n, "secrets", "block", Set.of("block", "allow")),
        choice("/policy", n, "results", "redact", Set.of("off", "redact")), validate);
  }

  private AccessConfig.Trust trust(JsonNode node) {
    JsonNode n = section(node, "trust", Set.of("untrusted", "private", "publicSinks", "destructive",
        "untrustedToSink", "privateToPublic"));
    if (n == null) {
      return AccessConfig.Trust.DEFAULT;
    }
    return new AccessConfig.Trust(strings(n.get("untrusted"), "/trust/untrusted"),
        strings(n.get("private"), "/trust/private"), strings(n.get("publicSinks"), "/trust/publicSinks"),
        strings(n.get("destructive"), "/trust/destructive"),
        choice("/trust", n, "untrustedToSink", "ask", Set.of("ask", "deny")),
        choice("/trust", n, "privateToPublic", "deny", Set.of("ask", "deny")));
  }

  private MemoryConfig memory(JsonNode node, Path base) {
    JsonNode n = section(node, "memory", Set.of("store", "postgres", "keys", "defaultScope", "untrusted",
        "quarantine", "checkpointEvery", "scopes", "agentKeys"));
    if (n == null) {
      return MemoryConfig.DEFAULT;
    }
    String store = text(n, "store", "/memory", null);
    String keys = text(n, "keys", "/memory", null);
    MemoryConfig.Postgres pg = null;
    JsonNode p = n.path("postgres");
    if (p.isObject()) {
      String url = text(p, "url", "/memory/postgres", null);
      if (url == null || !url.startsWith("jdbc:postgresql:")) {
        error("/memory/postgres/url", "'url' must be a jdbc:postgresql://HOST:PORT/DATABASE address");
      }
      pg = new MemoryConfig.Postgres(url, text(p, "user", "/memory/postgres", null),
          text(p, "passwordEnv", "/memory/postgres", null));
    } else if (!p.isMissingNode() && !p.isNull()) {
      error("/memory/postgres", "'postgres' must be a mapping with url, user and passwordEnv");
    }
    String defaultScope = text(n, "defaultScope", "/memory", null);
    if (defaultScope != null && !MemoryConfig.validScope(defaultScope)) {
      error("/memory/defaultScope", "a scope name is letters, digits and . _ : - @ (at most 200), was '"
          + defaultScope + "'");
    }
    JsonNode q = n.path("quarantine");
    if (!q.isMissingNode() && !q.isBoolean()) {
      error("/memory/quarantine", "'quarantine' must be true or false");
    }
    JsonNode every = n.path("checkpointEvery");
    int checkpointEvery = MemoryConfig.DEFAULT.checkpointEvery();
    if (!every.isMissingNode()) {
      if (every.isInt() && every.intValue() > 0) {
        checkpointEvery = every.intValue();
      } else {
        error("/memory/checkpointEvery", "'checkpointEvery' must be a positive whole number");
      }
    }
    Map<String, MemoryConfig.Scope> scopes = new LinkedHashMap<>();
    JsonNode s = n.path("scopes");
    if (s.isObject()) {
      for (String name : s.propertyNames()) {
        String at = "/memory/scopes/" + name;
        JsonNode v = s.get(name);
        if (!MemoryConfig.validScope(name) || name.startsWith("agent:")) {
          error(at, "a scope name is letters, digits and . _ : - @ (at most 200) and does not start with 'agent:'"
              + " (each principal's own scope)");
          continue;
        }
        if (!v.isObject()) {
          error(at, "a scope is a mapping of read, write and admin to lists of principals, group:NAME or *");
          continue;
        }
        for (String k : v.propertyNames()) {
          if (!Set.of("read", "write", "admin").contains(k)) {
            error(at + "/" + k, "unknown right '" + k + "': one of read, write, admin");
          }
        }
        scopes.put(name, new MemoryConfig.Scope(strings(v.get("read"), at + "/read"),
            strings(v.get("write"), at + "/write"), strings(v.get("admin"), at + "/admin")));
      }
    } else if (!s.isMissingNode() && !s.isNull()) {
      error("/memory/scopes", "'scopes' must be a mapping of scope name to its rights");
    }
    Map<String, String> agentKeys = new LinkedHashMap<>();
    JsonNode ak = n.path("agentKeys");
    if (ak.isObject()) {
      for (String principal : ak.propertyNames()) {
        String key = ak.get(principal).asString("");
        if (!ak.get(principal).isString() || !key.startsWith("MCowBQYDK2VwAyEA") || key.length() != 60) {
          error("/memory/agentKeys/" + principal, "an agent key is an Ed25519 public key: X.509, base64"
              + " (MCowBQYDK2VwAyEA..., 60 characters; aegis keygen prints one)");
          continue;
        }
        agentKeys.put(principal, key);
      }
    } else if (!ak.isMissingNode() && !ak.isNull()) {
      error("/memory/agentKeys", "'agentKeys' must be a mapping of principal to its public key");
    }
    return new MemoryConfig(store == null ? null : resolve(base, store), pg, keys == null ? null : resolve(base, keys),
        defaultScope, strings(n.get("untrusted"), "/memory/untrusted"), q.asBoolean(true), checkpointEvery, scopes,
        agentKeys);
  }

  private PinConfig pin(JsonNode p) {
    if (p.isMissingNode() || p.isNull()) {
      return PinConfig.DEFAULT;
    }
    if (!p.isObject()) {
      error("/pin", "'pin' must be a mapping (see docs/pinning.md)");
      return PinConfig.DEFAULT;
    }
    for (String key : p.propertyNames()) {
      if (!PIN_KEYS.contains(key)) {
        warn("/pin/" + key, "unknown pin setting '" + key + "' ignored");
      }
    }
    String mode = choice("/pin", p, "mode", PinConfig.DEFAULT.mode(), PinConfig.MODES);
    String unsigned = choice("/pin", p, "unsigned", PinConfig.DEFAULT.unsigned(), PinConfig.UNSIGNED);
    String bad = choice("/pin", p, "badSignature", PinConfig.DEFAULT.badSignature(), PinConfig.BAD_SIGNATURE);
    Path base = Path.of(file).toAbsolutePath().getParent();
    Path lockfile = null;
    if (p.has("lockfile")) {
      if (p.get("lockfile").isString() && !p.get("lockfile").stringValue().isBlank()) {
        lockfile = resolve(base, p.get("lockfile").stringValue());
      } else {
        error("/pin/lockfile", "'lockfile' must be a path");
      }
    }
    Map<String, String> require = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : mapping(p, "require")) {
      if (e.getValue().isString() && !e.getValue().stringValue().isBlank()) {
        require.put(e.getKey(), e.getValue().stringValue().trim());
      } else {
        error("/pin/require/" + e.getKey(), "a version requirement is a string like \"^1.2\" or \">=2.0 <3\"");
      }
    }
    Map<String, List<String>> trust = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : mapping(p, "trust")) {
      List<String> keys = new ArrayList<>();
      JsonNode v = e.getValue();
      List<JsonNode> items = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(items::add);
      } else {
        items.add(v);
      }
      for (JsonNode k : items) {
        if (!k.isString() || k.stringValue().isBlank()) {
          error("/pin/trust/" + e.getKey(), "a publisher key is a path to a PEM file or the base64 public key");
          continue;
        }
        String text = k.stringValue().trim();
        keys.add(text.startsWith("MC") || text.startsWith("-----") ? text : resolve(base, text).toString());
      }
      trust.put(e.getKey(), keys);
    }
    Map<String, Path> signatures = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : mapping(p, "signatures")) {
      if (e.getValue().isString() && !e.getValue().stringValue().isBlank()) {
        signatures.put(e.getKey(), resolve(base, e.getValue().stringValue()));
      } else {
        error("/pin/signatures/" + e.getKey(), "a signature is the path of a file holding the server's JWS");
      }
    }
    return new PinConfig(mode, lockfile, require, trust, signatures, unsigned, bad);
  }

  private static Path resolve(Path base, String path) {
    Path p = Path.of(path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path);
    return base == null || p.isAbsolute() ? p : base.resolve(p).normalize();
  }

  private Iterable<Map.Entry<String, JsonNode>> mapping(JsonNode p, String key) {
    JsonNode v = p.path(key);
    if (v.isMissingNode() || v.isNull()) {
      return List.of();
    }
    if (!v.isObject()) {
      error("/pin/" + key, "'" + key + "' must be a mapping of server name to its setting");
      return List.of();
    }
    return v.properties();
  }


  private ScanConfig scan(JsonNode s) {
    if (s.isMissingNode() || s.isNull()) {
      return ScanConfig.DEFAULT;
    }
    if (!s.isObject()) {
      error("/scan", "'scan' must be a mapping (see docs/scanning.md)");
      return ScanConfig.DEFAULT;
    }
    for (String key : s.propertyNames()) {
      if (!SCAN_KEYS.contains(key)) {
        warn("/scan/" + key, "unknown scan setting '" + key + "' ignored");
      }
    }
    boolean definitions = s.path("definitions").asBoolean(true);
    if (s.has("definitions") && !s.get("definitions").isBoolean()) {
      error("/scan/definitions", "'definitions' must be true or false");
    }
    String outputs = choice(s, "outputs", "redact", ScanConfig.OUTPUT_MODES);
    String warnAt = choice(s, "warnAt", "medium", java.util.Set.copyOf(ScanConfig.SEVERITIES));
    String blockAt = choice(s, "blockAt", "high", java.util.Set.copyOf(ScanConfig.SEVERITIES));
    if (ScanConfig.SEVERITIES.indexOf(warnAt) > ScanConfig.SEVERITIES.indexOf(blockAt)) {
      error("/scan/warnAt", "'warnAt' (" + warnAt + ") must not be above 'blockAt' (" + blockAt + ")");
      warnAt = blockAt;
    }
    int maxOutput = intSetting("/scan", s, "maxOutputChars", ScanConfig.DEFAULT.maxOutputChars(), 1024,
        64 * 1024 * 1024);
    List<Path> rules = new ArrayList<>();
    JsonNode r = s.path("rules");
    Path base = Path.of(file).toAbsolutePath().getParent();
    if (r.isArray()) {
      for (int i = 0; i < r.size(); i++) {
        if (r.get(i).isString()) {
          rules.add(base == null ? Path.of(r.get(i).stringValue()) : base.resolve(r.get(i).stringValue()));
        } else {
          error("/scan/rules/" + i, "a rule file must be a path string");
        }
      }
    } else if (!r.isMissingNode()) {
      error("/scan/rules", "'rules' must be a list of rule file paths");
    }
    return new ScanConfig(definitions, outputs, warnAt, blockAt, maxOutput, rules);
  }

  private String choice(JsonNode node, String key, String fallback, Set<String> allowed) {
    return choice("/scan", node, key, fallback, allowed);
  }

  /** A setting that must be one of {@code allowed} (case-insensitive); errors point at {@code section/key}. */
  private String choice(String section, JsonNode node, String key, String fallback, Set<String> allowed) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    String text = v.isString() ? v.stringValue().trim().toLowerCase(java.util.Locale.ROOT) : "";
    if (!allowed.contains(text)) {
      error(section + "/" + key, "'" + key + "' must be one of " + new java.util.TreeSet<>(allowed));
      return fallback;
    }
    return text;
  }

  private ServerConfig server(String name, JsonNode node, String at) {
    if (!node.isObject()) {
      error(at, "server '" + name + "' must be a mapping with 'command' or 'url'");
      return null;
    }
    for (String key : node.propertyNames()) {
      if (!SERVER_KEYS.contains(key)) {
        warn(at + "/" + key, "unknown key '" + key + "' of server '" + name + "' ignored");
      }
    }
    if (node.path("disabled").asBoolean(false)) {
      warn(at, "server '" + name + "' is disabled and will not be started");
      return null;
    }
    if (name.isBlank()) {
      error(at, "a server name must not be blank");
      return null;
    }
    String prefix = prefix(name, node.get("prefix"), at);
    JsonNode sb = node.get("sandbox");
    if (sb != null && !node.has("command") && !(sb.isBoolean() && !sb.booleanValue())) {
      error(at + "/sandbox", "server '" + name + "' is not a local process ('command'), so it cannot run sandboxed");
    }
    if (node.has("builtin")) {
      String kind = node.path("builtin").asString("");
      if (node.has("command") || node.has("url")) {
        error(at, "server '" + name + "' is built in ('builtin'), so it has no 'command' or 'url'");
        return null;
      }
      if (!ServerConfig.Builtin.KINDS.contains(kind)) {
        error(at + "/builtin", "'builtin' must be one of " + new java.util.TreeSet<>(ServerConfig.Builtin.KINDS)
            + ", was '" + kind + "'");
        return null;
      }
      return new ServerConfig(name, prefix, new ServerConfig.Builtin(kind));
    }
    boolean hasCommand = node.has("command");
    boolean hasUrl = node.has("url");
    String type = node.path("type").asString("");
    if (hasCommand == hasUrl) {
      error(at, "server '" + name + "' needs exactly one of 'command' (a local process) and 'url' (a remote server)");
      return null;
    }
    if (hasCommand) {
      if (!type.isEmpty() && !type.equals("stdio")) {
        error(at + "/type", "server '" + name + "' has a 'command', so its type must be 'stdio', not '" + type + "'");
      }
      String command = string(node, "command", at);
      List<String> line = new ArrayList<>();
      if (command != null) {
        line.add(command);
      }
      JsonNode args = node.path("args");
      if (args.isArray()) {
        for (int i = 0; i < args.size(); i++) {
          JsonNode a = args.get(i);
          if (a.isString() || a.isNumber() || a.isBoolean()) {
            line.add(a.asString());
          } else {
            error(at + "/args/" + i, "each argument must be a string");
          }
        }
      } else if (!args.isMissingNode()) {
        error(at + "/args", "'args' must be a list of strings");
      }
      Map<String, String> env = stringMap(node, "env", at);
      String cwd = node.has("cwd") ? string(node, "cwd", at) : null;
      if (command == null) {
        return null; // already reported
      }
      if (command.isBlank()) {
        error(at + "/command", "'command' must be a non-empty string");
        return null;
      }
      serverSandbox(name, node, at);
      return new ServerConfig(name, prefix, new ServerConfig.Stdio(line, env, cwd));
    }
    if (!type.isEmpty() && !Set.of("http", "streamable-http", "streamableHttp", "sse").contains(type)) {
      error(at + "/type", "server '" + name + "' has a 'url', so its type must be 'http' or 'sse', not '" + type + "'");
    }
    String url = string(node, "url", at);
    Map<String, String> headers = stringMap(node, "headers", at);
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        error(at + "/url", "'url' must be an http:// or https:// address with a host, was '" + url + "'");
        return null;
      }
      return new ServerConfig(name, prefix, new ServerConfig.Http(uri, headers, type.equals("sse")));
    } catch (URISyntaxException e) {
      error(at + "/url", "'url' is not a valid URL: " + e.getMessage());
      return null;
    }
  }

  /** A stdio server's {@code sandbox:}: a profile name, or false / off. */
  private void serverSandbox(String name, JsonNode node, String at) {
    JsonNode v = node.get("sandbox");
    if (v == null || v.isNull()) {
      return;
    }
    String choice;
    if (v.isBoolean() && !v.booleanValue()) {
      choice = SandboxConfig.OFF;
    } else if (v.isString() && v.stringValue().trim().equals(SandboxConfig.OFF)) {
      choice = SandboxConfig.OFF;
    } else if (v.isString() && isProfileName(v.stringValue().trim())) {
      choice = v.stringValue().trim();
    } else {
      error(at + "/sandbox", "'sandbox' must be a profile name (strict, filesystem, fetch or one under"
          + " sandbox.profiles), auto or false, was " + brief(v));
      return;
    }
    serverSandbox.put(name, choice);
    serverSandboxAt.put(name, at + "/sandbox");
  }

  private static boolean isProfileName(String s) {
    if (s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  private static String brief(JsonNode v) {
    String t = v.toString();
    return t.length() > 80 ? t.substring(0, 80) + "…" : t;
  }

  private static final Set<String> SANDBOX_KEYS = Set.of("profiles", "default", "degrade");
  private static final Set<String> PROFILE_KEYS = Set.of("network", "read", "write", "env", "serverArgs", "limits");
  private static final Set<String> LIMIT_KEYS = Set.of("memory", "processes", "openFiles", "cpu", "addressSpace");

  private SandboxConfig sandbox(JsonNode node, Path base) {
    JsonNode n = section(node, "sandbox", SANDBOX_KEYS);
    Map<String, SandboxConfig.Profile> profiles = new LinkedHashMap<>();
    String dflt = SandboxConfig.AUTO;
    boolean degrade = false;
    if (n != null) {
      JsonNode ps = n.path("profiles");
      if (ps.isObject()) {
        for (Map.Entry<String, JsonNode> e : ps.properties()) {
          String at = "/sandbox/profiles/" + escape(e.getKey());
          if (SandboxConfig.BUILT_IN.contains(e.getKey())) {
            error(at, "profile '" + e.getKey() + "' is built in; give your profile another name");
          } else if (e.getKey().equals(SandboxConfig.AUTO) || e.getKey().equals(SandboxConfig.OFF)) {
            error(at, "'" + e.getKey() + "' is a sandbox choice, not a profile name; give your profile another name");
          } else if (!isProfileName(e.getKey())) {
            error(at, "a profile name is 1-64 letters, digits, '-' and '_'");
          } else {
            SandboxConfig.Profile p = profile(e.getValue(), at, base);
            if (p != null) {
              profiles.put(e.getKey(), p);
            }
          }
        }
      } else if (!ps.isMissingNode() && !ps.isNull()) {
        error("/sandbox/profiles", "'profiles' must be a mapping of profile name to profile");
      }
      JsonNode d = n.get("default");
      if (d != null && !d.isNull()) {
        if (d.isBoolean() && !d.booleanValue() || d.isString() && d.stringValue().trim().equals(SandboxConfig.OFF)) {
          dflt = SandboxConfig.OFF;
        } else if (d.isString() && (known(d.stringValue().trim(), profiles)
            || d.stringValue().trim().equals(SandboxConfig.AUTO))) {
          dflt = d.stringValue().trim();
        } else {
          error("/sandbox/default", "'default' must be auto (the default), off or a profile name ("
              + profileNames(profiles) + "), was " + brief(d));
        }
      }
      degrade = bool(n, "degrade", "/sandbox", false);
    }
    Map<String, String> servers = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : serverSandbox.entrySet()) {
      if (e.getValue().equals(SandboxConfig.OFF) || e.getValue().equals(SandboxConfig.AUTO)
          || known(e.getValue(), profiles)) {
        servers.put(e.getKey(), e.getValue());
      } else {
        error(serverSandboxAt.get(e.getKey()), "server '" + e.getKey() + "' names the sandbox profile '" + e.getValue()
            + "', which is neither built in nor under sandbox.profiles (" + profileNames(profiles) + ")");
      }
    }
    if (n == null && servers.isEmpty()) {
      return SandboxConfig.DEFAULT;
    }
    return new SandboxConfig(profiles, dflt, degrade, servers);
  }

  private static boolean known(String name, Map<String, SandboxConfig.Profile> profiles) {
    return SandboxConfig.BUILT_IN.contains(name) || profiles.containsKey(name);
  }

  private static String profileNames(Map<String, SandboxConfig.Profile> profiles) {
    java.util.TreeSet<String> all = new java.util.TreeSet<>(SandboxConfig.BUILT_IN);
    all.addAll(profiles.keySet());
    return String.join(", ", all);
  }

  private boolean bool(JsonNode n, String key, String at, boolean fallback) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      error(at + "/" + key, "'" + key + "' must be true or false");
      return fallback;
    }
    return v.booleanValue();
  }

  private SandboxConfig.Profile profile(JsonNode p, String at, Path base) {
    if (!p.isObject()) {
      error(at, "a sandbox profile must be a mapping (network, read, write, env, serverArgs, limits)");
      return null;
    }
    for (String key : p.propertyNames()) {
      if (!PROFILE_KEYS.contains(key)) {
        warn(at + "/" + key, "unknown sandbox profile setting '" + key + "' ignored");
      }
    }
    boolean network = bool(p, "network", at, false);
    List<String> read = paths(p.get("read"), at + "/read", base);
    List<String> write = paths(p.get("write"), at + "/write", base);
    List<String> env = new ArrayList<>();
    List<String> names = strings(p.get("env"), at + "/env");
    for (int i = 0; i < names.size(); i++) {
      if (validEnvName(names.get(i))) {
        env.add(names.get(i));
      } else {
        error(at + "/env/" + i, "an environment variable name is letters, digits and '_', not starting with a digit");
      }
    }
    String serverArgs = choice(at, p, "serverArgs", "none", SandboxConfig.Profile.SERVER_ARGS);
    SandboxConfig.Limits limits = SandboxConfig.Limits.DEFAULT;
    JsonNode l = p.path("limits");
    if (l.isObject()) {
      for (String key : l.propertyNames()) {
        if (!LIMIT_KEYS.contains(key)) {
          warn(at + "/limits/" + key, "unknown limit '" + key + "' ignored");
        }
      }
      SandboxConfig.Limits d = SandboxConfig.Limits.DEFAULT;
      long memory = bytes(l, "memory", at + "/limits", d.memoryBytes());
      int processes = intSetting(at + "/limits", l, "processes", d.processes(), 0, 1_000_000);
      int openFiles = intSetting(at + "/limits", l, "openFiles", d.openFiles(), 0, 1_048_576);
      long cpu = d.cpuSeconds();
      JsonNode c = l.get("cpu");
      if (c != null && !c.isNull()) {
        Duration dur = c.isIntegralNumber() ? Duration.ofSeconds(c.longValue()) : parseDuration(c.asString(""));
        if (dur == null || dur.isNegative() || (!dur.isZero() && dur.toSeconds() == 0)) {
          error(at + "/limits/cpu", "'cpu' must be CPU time like 600s or 10m (0 for no limit), was " + brief(c));
        } else {
          cpu = dur.toSeconds();
        }
      }
      long as = bytes(l, "addressSpace", at + "/limits", d.addressSpaceBytes());
      limits = new SandboxConfig.Limits(memory, processes, openFiles, cpu, as);
    } else if (!l.isMissingNode() && !l.isNull()) {
      error(at + "/limits", "'limits' must be a mapping (memory, processes, openFiles, cpu, addressSpace)");
    }
    return new SandboxConfig.Profile(network, read, write, env, serverArgs, limits);
  }

  private static boolean validEnvName(String s) {
    if (s.isEmpty() || s.length() > 128 || Character.isDigit(s.charAt(0))) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** Absolute paths (relative ones against the config file's folder, {@code ~/} against the home folder). */
  private List<String> paths(JsonNode node, String at, Path base) {
    List<String> out = new ArrayList<>();
    List<String> raw = strings(node, at);
    for (int i = 0; i < raw.size(); i++) {
      String s = raw.get(i);
      if (s.indexOf('\0') >= 0 || s.length() > 4096) {
        error(at + "/" + i, "not a usable path");
        continue;
      }
      Path p = resolve(base, s).toAbsolutePath().normalize();
      if (p.getParent() == null) {
        error(at + "/" + i, "granting the whole file system ('/') defeats the sandbox; name the folders instead");
        continue;
      }
      out.add(p.toString());
    }
    return out;
  }

  /** A size like {@code 512m}, {@code 2g}, {@code 65536} (bytes) or {@code 0} (no limit). */
  private long bytes(JsonNode n, String key, String at, long fallback) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    long parsed = v.isIntegralNumber() ? v.longValue() : parseSize(v.asString(""));
    if (parsed < 0) {
      error(at + "/" + key, "'" + key + "' must be a size like 512m or 2g (0 for no limit), was " + brief(v));
      return fallback;
    }
    return parsed;
  }

  /** Parses {@code 512k}, {@code 64m}, {@code 2g} or a number of bytes; -1 if invalid. */
  public static long parseSize(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    int shift = 0;
    if (t.endsWith("k")) {
      shift = 10;
    } else if (t.endsWith("m")) {
      shift = 20;
    } else if (t.endsWith("g")) {
      shift = 30;
    }
    if (shift > 0) {
      t = t.substring(0, t.length() - 1).trim();
    }
    if (t.isEmpty() || t.length() > 12 || !t.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    long n = Long.parseLong(t);
    return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
  }

  private String prefix(String name, JsonNode node, String at) {
    if (node == null || node.isNull() || (node.isBoolean() && node.booleanValue())) {
      String derived = sanitizePrefix(name);
      if (derived.isEmpty()) {
        error(node == null ? at : at + "/prefix",
            "server name '" + name + "' has no letters or digits to make a prefix from; set 'prefix'");
      }
      return derived;
    }
    if (node.isBoolean()) {
      return "";
    }
    if (!node.isString() || !node.stringValue().matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")) {
      error(at + "/prefix", "'prefix' must be false, true, or 1-32 letters, digits and inner hyphens (it is joined"
          + " to names with '__'), was " + node);
      return "";
    }
    return node.stringValue();
  }

  /** Letters, digits and single inner hyphens, at most 32: safe to join with {@code __} in any client's tool names. */
  static String sanitizePrefix(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length() && b.length() < 32; i++) {
      char c = name.charAt(i);
      boolean ok = c < 128 && Character.isLetterOrDigit(c);
      if (ok) {
        b.append(c);
      } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
        b.append('-');
      }
    }
    while (b.length() > 0 && b.charAt(b.length() - 1) == '-') {
      b.setLength(b.length() - 1);
    }
    return b.toString();
  }

  private String string(JsonNode node, String key, String at) {
    JsonNode v = node.get(key);
    if (v == null || !v.isString()) {
      error(at + "/" + key, "'" + key + "' must be a string");
      return null;
    }
    return v.stringValue();
  }

  private Map<String, String> stringMap(JsonNode node, String key, String at) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode m = node.get(key);
    if (m == null || m.isNull()) {
      return out;
    }
    if (!m.isObject()) {
      error(at + "/" + key, "'" + key + "' must be a mapping of names to strings");
      return out;
    }
    for (Map.Entry<String, JsonNode> e : m.properties()) {
      JsonNode v = e.getValue();
      if (v.isString() || v.isNumber() || v.isBoolean()) {
        out.put(e.getKey(), v.asString());
      } else {
        error(at + "/" + key + "/" + escape(e.getKey()), "the value of '" + e.getKey() + "' must be a string");
      }
    }
    return out;
  }

  private int intSetting(JsonNode g, String key, int dflt, int min, int max) {
    return intSetting("/gateway", g, key, dflt, min, max);
  }

  private int intSetting(String section, JsonNode g, String key, int dflt, int min, int max) {
    JsonNode v = g.get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || v.longValue() < min || v.longValue() > max) {
      error(section + "/" + key, "'" + key + "' must be a whole number from " + min + " to " + max + ", was " + v);
      return dflt;
    }
    return v.intValue();
  }

  private Duration duration(JsonNode g, String key, Duration dflt) {
    JsonNode v = g.get(key);
    if (v == null) {
      return dflt;
    }
    Duration d = parseDuration(v.asString(""));
    if (d == null || d.isNegative() || d.isZero()) {
      error("/gateway/" + key, "'" + key + "' must be a positive duration like 500ms, 30s or 2m, was " + v);
      return dflt;
    }
    return d;
  }

  /** Parses {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of milliseconds; null if invalid. */
  public static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
      } else if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
      } else if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
      } else if (t.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1).trim()));
      }
      return Duration.ofMillis(Long.parseLong(t));
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  private void error(String pointer, String message) {
    errors.add(where(pointer) + ": " + message);
  }

  private void warn(String pointer, String message) {
    warnings.add(where(pointer) + ": warning: " + message);
  }

  private String where(String pointer) {
    TokenStreamLocation l = locations.get(pointer);
    String p = pointer;
    while (l == null && !p.isEmpty()) {
      p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
      l = locations.get(p);
    }
    return l == null ? file : file + ":" + l.getLineNr() + ":" + l.getColumnNr();
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
