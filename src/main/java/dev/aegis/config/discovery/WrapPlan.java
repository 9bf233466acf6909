package dev.aegis.config.discovery;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What {@code aegis wrap} will do to one client, computed without touching anything: the new text of each file (only
 * the server entries are replaced; comments, other keys and formatting stay), the Aegis configuration generated for
 * each server, a readable diff, and the servers left alone with the reason.
 *
 * <p>A wrapped entry keeps the host's own keys (and {@code env}, so secrets stay where they were: the host passes
 * them to Aegis and Aegis's child inherits them); {@code command}, {@code args}, {@code cwd} and the address move
 * into {@code $AEGIS_HOME/wrapped/<client>/<server>.yaml}, and the entry runs {@code aegis gateway --config} on it.
 *
 * <pre>{@code
 * WrapPlan plan = WrapPlan.of(Client.CURSOR, discovery.find(Client.CURSOR), launcher, aegisHome);
 * System.out.print(plan.describe());
 * if (!plan.changesNothing()) new WrapStore(aegisHome, clock).apply(plan);
 * }</pre>
 */
public final class WrapPlan {
  /** Keys that describe how to reach the server: they move into the generated configuration. */
  private static final Set<String> MOVED = Set.of("command", "args", "cwd", "url", "serverUrl", "httpUrl", "headers",
      "type");
  private static final YAMLMapper YAML = new YAMLMapper();

  /** A file's new bytes and the diff that shows the change. */
  public record FileChange(ClientConfig file, byte[] after, String diff) {}

  /** An Aegis configuration to write for one server; it holds no {@code env} and no headers. */
  public record Generated(Path path, String server, String content) {}

  /** A server left as it is, and why. */
  public record Skipped(Path file, String server, String reason) {}

  private final Client client;
  private final List<FileChange> changes;
  private final List<Generated> generated;
  private final List<Skipped> skipped;
  private final List<String> alreadyWrapped;

  private WrapPlan(Client client, List<FileChange> changes, List<Generated> generated, List<Skipped> skipped,
      List<String> alreadyWrapped) {
    this.client = client;
    this.changes = List.copyOf(changes);
    this.generated = List.copyOf(generated);
    this.skipped = List.copyOf(skipped);
    this.alreadyWrapped = List.copyOf(alreadyWrapped);
  }

  /** The directory of generated configurations: {@code $AEGIS_HOME/wrapped/<client>}. */
  public static Path wrappedDir(Path aegisHome, Client client) {
    return aegisHome.toAbsolutePath().normalize().resolve("wrapped").resolve(client.id());
  }

  public static WrapPlan of(Client client, List<ClientConfig> files, Launcher launcher, Path aegisHome) {
    Path dir = wrappedDir(aegisHome, client);
    Map<String, Integer> nameCount = new HashMap<>();
    files.forEach(f -> f.servers().forEach(s -> nameCount.merge(s.name(), 1, Integer::sum)));
    List<FileChange> changes = new ArrayList<>();
    List<Generated> generated = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    List<String> already = new ArrayList<>();
    for (ClientConfig f : files) {
      if (!f.readable()) {
        skipped.add(new Skipped(f.path(), "*", "the file cannot be read: " + f.error()));
        continue;
      }
      String text = f.document().text();
      JsonText writer = JsonText.like(text);
      List<Splice> splices = new ArrayList<>();
      for (ServerEntry s : f.servers()) {
        if (isWrapped(s, aegisHome)) {
          already.add(f.path() + ": " + s.name());
          continue;
        }
        String reason = whyNot(s);
        if (reason != null) {
          skipped.add(new Skipped(f.path(), s.name(), reason));
          continue;
        }
        String fileName = safe(s.name()) + (nameCount.get(s.name()) > 1
            ? "-" + sha256(f.path() + "#" + s.pointer()).substring(0, 8) : "") + ".yaml";
        Path yaml = dir.resolve(fileName);
        generated.add(new Generated(yaml, s.name(), aegisConfig(s, f.path())));
        ObjectNode entry = wrappedEntry(s, launcher, yaml);
        int lineStart = text.lastIndexOf('\n', s.span().start() - 1) + 1;
        String indent = leadingSpace(text, lineStart, s.span().start());
        splices.add(new Splice(s, writer.write(entry, indent)));
      }
      if (!splices.isEmpty()) {
        changes.add(change(f, text, splices));
      }
    }
    return new WrapPlan(client, changes, generated, skipped, already);
  }

  private record Splice(ServerEntry entry, String replacement) {}

  private static FileChange change(ClientConfig f, String text, List<Splice> splices) {
    splices.sort(Comparator.comparingInt(sp -> sp.entry().span().start()));
    StringBuilder out = new StringBuilder();
    StringBuilder diff = new StringBuilder("--- " + f.path() + System.lineSeparator() + "+++ " + f.path()
        + " (wrapped)" + System.lineSeparator());
    int at = 0;
    int shift = 0;
    for (Splice sp : splices) {
      JsoncDocument.Span span = sp.entry().span();
      out.append(text, at, span.start()).append(sp.replacement());
      at = span.end();
      int lineStart = text.lastIndexOf('\n', span.start() - 1) + 1;
      int lineEnd = text.indexOf('\n', span.end());
      lineEnd = lineEnd < 0 ? text.length() : lineEnd;
      String before = text.substring(lineStart, lineEnd);
      String after = text.substring(lineStart, span.start()) + sp.replacement() + text.substring(span.end(), lineEnd);
      int line = (int) text.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
      int oldCount = before.split("\n", -1).length;
      int newCount = after.split("\n", -1).length;
      diff.append("@@ -").append(line).append(',').append(oldCount).append(" +").append(line + shift).append(',')
          .append(newCount).append(" @@ ").append(sp.entry().pointer()).append(System.lineSeparator());
      before.lines().forEach(l -> diff.append('-').append(l).append(System.lineSeparator()));
      after.lines().forEach(l -> diff.append('+').append(l).append(System.lineSeparator()));
      shift += newCount - oldCount;
    }
    out.append(text, at, text.length());
    return new FileChange(f, out.toString().getBytes(StandardCharsets.UTF_8), diff.toString());
  }

  /** Why a server cannot be wrapped, or null when it can. */
  static String whyNot(ServerEntry s) {
    String transport = s.transport();
    if (transport.equals("unknown")) {
      return "it has neither 'command' nor a url";
    }
    for (String key : List.of("command", "args", "cwd", "url", "serverUrl", "httpUrl")) {
      if (s.node().path(key).toString().contains("${")) {
        return "its '" + key + "' uses ${...} variables that only the host expands";
      }
    }
    if (s.command() != null && !s.node().path("args").isMissingNode() && !s.node().path("args").isArray()) {
      return "its 'args' is not a list";
    }
    if (s.command() != null && s.urlKey() != null) {
      return "it has both a command and a url";
    }
    if (s.urlKey() != null && s.node().has("headers")) {
      return "it sends headers, which often hold a secret that Aegis would have to copy into a new file;"
          + " left as it is";
    }
    return null;
  }

  /** True when the entry already runs {@code aegis gateway --config} on a file under {@code $AEGIS_HOME/wrapped}. */
  public static boolean isWrappedBy(ServerEntry s, Path aegisHome) {
    return isWrapped(s, aegisHome);
  }

  static boolean isWrapped(ServerEntry s, Path aegisHome) {
    List<String> args = s.args();
    Path wrapped = aegisHome.toAbsolutePath().normalize().resolve("wrapped");
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("--config")) {
        try {
          if (Path.of(args.get(i + 1)).toAbsolutePath().normalize().startsWith(wrapped)) {
            return true;
          }
        } catch (RuntimeException e) {
          return false;
        }
      }
    }
    return false;
  }

  private static ObjectNode wrappedEntry(ServerEntry s, Launcher launcher, Path yaml) {
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    List<String> line = launcher.commandLine(List.of("gateway", "--config", yaml.toString()));
    entry.put("command", line.get(0));
    ArrayNode args = entry.putArray("args");
    line.subList(1, line.size()).forEach(args::add);
    if (s.node().has("type")) {
      entry.put("type", "stdio");
    }
    for (Map.Entry<String, JsonNode> e : s.node().properties()) {
      if (!MOVED.contains(e.getKey())) {
        entry.set(e.getKey(), e.getValue());
      }
    }
    return entry;
  }

  /** The gateway configuration for one server: how to reach it, never its env or headers. */
  private static String aegisConfig(ServerEntry s, Path source) {
    ObjectNode server = JsonNodeFactory.instance.objectNode();
    if (s.command() != null) {
      server.put("command", s.command());
      ArrayNode args = server.putArray("args");
      s.args().forEach(args::add);
      if (s.node().path("cwd").isString()) {
        server.put("cwd", s.node().get("cwd").stringValue());
      }
    } else {
      server.put("url", s.url());
      if (s.transport().equals("sse")) {
        server.put("type", "sse");
      }
    }
    server.put("prefix", false);
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("servers").set(s.name(), server);
    return "# Written by `aegis wrap`: server '" + s.name() + "' of " + source + "\n"
        + "# Its env stays in the client's entry; the client passes it to Aegis, and this server inherits it,\n"
        + "# unless it runs sandboxed (the default for a server Aegis starts directly; `aegis sandbox check --config\n"
        + "# THIS_FILE`): then it gets only the variables a profile names (env:), and the network only if granted.\n"
        + YAML.writeValueAsString(root);
  }

  private static String leadingSpace(String text, int from, int to) {
    int i = from;
    while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    return text.substring(from, i);
  }

  private static String safe(String name) {
    String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
  }

  static String sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  public Client client() {
    return client;
  }

  public List<FileChange> changes() {
    return changes;
  }

  public List<Generated> generated() {
    return generated;
  }

  public List<Skipped> skipped() {
    return skipped;
  }

  /** Entries already behind Aegis, as {@code file: server}. */
  public List<String> alreadyWrapped() {
    return alreadyWrapped;
  }

  public boolean changesNothing() {
    return changes.isEmpty();
  }

  /** The diff of every file, then the servers left alone, for people to read before they confirm. */
  public String describe() {
    String nl = System.lineSeparator();
    StringBuilder b = new StringBuilder();
    changes.forEach(c -> b.append(c.diff()));
    for (Generated g : generated) {
      b.append("new file ").append(g.path()).append(" (server '").append(g.server()).append("')").append(nl);
    }
    for (String a : alreadyWrapped) {
      b.append("already behind Aegis: ").append(a).append(nl);
    }
    for (Skipped s : skipped) {
      b.append("not wrapped: ").append(s.file()).append(": ").append(s.server()).append(": ").append(s.reason())
          .append(nl);
    }
    return b.toString();
  }
}
