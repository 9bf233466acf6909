package dev.aegis.cli;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.pin.Change;
import dev.aegis.pin.ChangeClass;
import dev.aegis.pin.ListDiff;
import dev.aegis.pin.Lockfile;
import dev.aegis.pin.ToolDiff;
import dev.aegis.scan.live.Lister;
import dev.aegis.scan.live.Listing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code aegis diff}: the semantic difference between two versions of MCP tool definitions, each change classed as
 * breaking, compatible, capability widening or a benign or suspicious text change. Meant for CI: exit 1 when a
 * person should look.
 *
 * <pre>{@code
 * aegis diff tools-v1.json tools-v2.json
 * aegis diff old-tool.json new-tool.json --format json
 * }</pre>
 */
@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compare two versions of MCP tool definitions and class each change: breaking, compatible,"
        + " capability_widening, description_changed_benign or description_changed_suspicious. OLD and NEW each hold"
        + " a tool object, a JSON array of tools, a tools/list result {\"tools\":[...]} or a JSON-RPC response"
        + " holding one.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:no change, or only compatible changes and benign text edits",
        "1:breaking, capability_widening or description_changed_suspicious: review before accepting",
        "2:usage or input error (file missing, not JSON, no tool in it)"})
final class DiffCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "OLD", description = "The definitions you know (pinned,"
      + " released): a JSON file, or a lockfile (with --server).")
  Path oldFile;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NEW", description = "The definitions to compare against"
      + " OLD.")
  Path newFile;

  @Option(names = "--held", paramLabel = "SERVER/NAME", description = "Compare the approved definition in the"
      + " lockfile with the one the gateway holds.")
  String held;

  @Option(names = "--live", paramLabel = "SERVER", description = "Compare the lockfile's approved tools with what the"
      + " server (from --config) offers now.")
  String live;

  @Option(names = "--server", paramLabel = "NAME", description = "Which server's tools to take from a lockfile given"
      + " as OLD or NEW.")
  String server;

  @Option(names = "--lockfile", paramLabel = "FILE", description = "The lockfile for --held and --live (default:"
      + " pin.lockfile of --config, else $AEGIS_HOME/aegis.lock).")
  Path lockfile;

  @Option(names = "--config", paramLabel = "FILE", description = "The configuration (servers for --live, and"
      + " pin.lockfile).")
  Path config;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format"
      + " (default: ${DEFAULT-VALUE}).")
  String format;

  /** Where the result and errors go; a test may replace them. */
  PrintStream out = System.out;
  PrintStream err = System.err;

  /** A file's tools, and whether it held one bare tool object rather than a list. */
  record Input(List<JsonNode> tools, boolean single) {}


  @Override
  public Integer call() {
    try {
      if (!format.equals("text") && !format.equals("json")) {
        throw new InputError("--format must be text or json; was '" + format + "'");
      }
      Input before;
      Input after;
      if (held != null || live != null) {
        if (oldFile != null || (held != null && live != null)) {
          throw new InputError("give OLD NEW, or --held SERVER/NAME, or --live SERVER");
        }
        Input[] pair = held != null ? heldPair() : livePair();
        before = pair[0];
        after = pair[1];
      } else {
        if (oldFile == null || newFile == null) {
          throw new InputError("give OLD and NEW (files), or --held SERVER/NAME, or --live SERVER");
        }
        before = read(oldFile, server);
        after = read(newFile, server);
      }
      ChangeClass result;
      List<Change> changes;
      Object json;
      try {
        if (before.single() && after.single()) {
          ToolDiff d = ToolDiff.of(before.tools().get(0), after.tools().get(0));
          result = d.classification();
          changes = d.changes();
          json = d.toJson();
        } else {
          ListDiff d = ListDiff.of(before.tools(), after.tools());
          result = d.classification();
          changes = d.changes();
          json = d.toJson();
        }
      } catch (IllegalArgumentException e) {
        throw new InputError(e.getMessage());
      }
      if (format.equals("json")) {
        out.println(json);
      } else {
        text(changes, result);
      }
      out.flush();
      return result.failsGate() ? 1 : 0;
    } catch (InputError e) {
      err.println("aegis diff: " + e.getMessage());
      return 2;
    }
  }

  private void text(List<Change> changes, ChangeClass result) {
    if (changes.isEmpty()) {
      out.println("no changes");
    }
    for (Change c : changes) {
      out.println(line(c));
    }
    out.println("classification: " + result.wire());
  }

  /** {@code breaking  /inputSchema/properties/limit/maximum  bound tightened (100 -> 50)}. */
  static String line(Change c) {
    StringBuilder sb = new StringBuilder();
    sb.append(c.changeClass().wire()).append("  ").append(c.pointer().isEmpty() ? "/" : safe(c.pointer(), 200))
        .append("  ").append(c.kind().replace('_', ' '));
    if (c.kind().equals("suspicious_text_added") && c.after() != null) {
      sb.append(": ").append(safe(c.after().path("rule").asString(""), 80)).append(' ')
          .append(safe(c.after().path("message").asString(""), 200));
    } else if (scalar(c.before()) && scalar(c.after()) && !c.kind().equals("description_changed")) {
      sb.append(" (").append(value(c.before())).append(" -> ").append(value(c.after())).append(')');
    }
    return sb.toString();
  }

  private static boolean scalar(JsonNode n) {
    return n == null || n.isValueNode() || (n.isArray() && n.size() <= 10);
  }

  private static String value(JsonNode n) {
    return n == null ? "absent" : safe(n.toString(), 80);
  }

  /**
   * Tool names and values are written by the server, maybe an attacker: control, bidi and zero-width characters are
   * shown as {@code \\uXXXX} so they cannot rewrite the terminal or hide text, and the length is bounded.
   */
  static String safe(String s, int max) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (; i < s.length() && sb.length() < max; i++) {
      char ch = s.charAt(i);
      boolean hidden = ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) || (ch >= 0x200b && ch <= 0x200f)
          || (ch >= 0x202a && ch <= 0x202e) || (ch >= 0x2066 && ch <= 0x2069) || ch == 0xfeff;
      sb.append(hidden ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
    }
    return i < s.length() ? sb + "..." : sb.toString();
  }

  /** The approved and the held definition of SERVER/NAME, from the lockfile. */
  private Input[] heldPair() throws InputError {
    int slash = held.indexOf('/');
    if (slash <= 0 || slash == held.length() - 1) {
      throw new InputError("--held takes SERVER/NAME, e.g. --held github/create_issue; was '" + held + "'");
    }
    String srv = held.substring(0, slash);
    String name = held.substring(slash + 1);
    Lockfile.Server s = lockfileServer(srv);
    for (Lockfile.Kind kind : Lockfile.Kind.values()) {
      Lockfile.Held h = s.held(kind).get(name);
      if (h != null) {
        Lockfile.Pin pin = s.pins(kind).get(name);
        List<JsonNode> old = pin == null || pin.definition() == null ? List.of() : List.of(pin.definition());
        return new Input[] {new Input(old, !old.isEmpty()), new Input(List.of(h.definition()), !old.isEmpty())};
      }
    }
    throw new InputError("nothing is held for " + held + " in " + lockfilePath());
  }

  /** The lockfile's approved tools of SERVER, and what the server lists now. */
  private Input[] livePair() throws InputError {
    Lockfile.Server s = lockfileServer(live);
    GatewayConfig cfg;
    try {
      cfg = ConfigLoader.load(AegisHome.config(config)).config();
    } catch (ConfigException e) {
      throw new InputError(String.join("; ", e.errors()));
    }
    ServerConfig sc = cfg.servers().stream().filter(x -> x.name().equals(live)).findFirst()
        .orElseThrow(() -> new InputError("no server named '" + live + "' in the configuration"));
    Listing l = Lister.list(sc, java.time.Duration.ofSeconds(30),
        new dev.aegis.sandbox.Sandbox(cfg.sandbox(), info -> { }, System.err::println));
    if (l.error() != null) {
      throw new InputError(live + ": " + l.error());
    }
    return new Input[] {new Input(approvedTools(s), false), new Input(l.tools(), false)};
  }

  private Path lockfilePath() throws InputError {
    try {
      return ApproveCommand.resolveLockfile(lockfile, config);
    } catch (ConfigException e) {
      throw new InputError(String.join("; ", e.errors()));
    }
  }

  private Lockfile.Server lockfileServer(String name) throws InputError {
    Path file = lockfilePath();
    try {
      Lockfile lock = Lockfile.read(file);
      Lockfile.Server s = lock.server(name);
      if (s == null) {
        throw new InputError("no server '" + name + "' in " + file);
      }
      return s;
    } catch (IOException | IllegalArgumentException e) {
      throw new InputError(e.getMessage());
    }
  }

  private static List<JsonNode> approvedTools(Lockfile.Server s) {
    List<JsonNode> tools = new ArrayList<>();
    s.pins(Lockfile.Kind.TOOL).values().forEach(p -> {
      if (p.definition() != null) {
        tools.add(p.definition());
      }
    });
    return tools;
  }

  /** Like {@link #read(Path)}; a lockfile gives the approved tools of {@code server}. */
  static Input read(Path file, String server) throws InputError {
    if (looksLikeLockfile(file)) {
      if (server == null) {
        throw new InputError(file + " is a lockfile: say which server's tools to compare with --server NAME");
      }
      try {
        Lockfile.Server s = Lockfile.read(file).server(server);
        if (s == null) {
          throw new InputError("no server '" + server + "' in " + file);
        }
        return new Input(approvedTools(s), false);
      } catch (IOException | IllegalArgumentException e) {
        throw new InputError(e.getMessage());
      }
    }
    return read(file);
  }

  private static boolean looksLikeLockfile(Path file) {
    try (java.io.BufferedReader r = Files.newBufferedReader(file)) {
      String first = r.readLine();
      return first != null && (first.startsWith("# Aegis lockfile") || first.startsWith("lockfileVersion"));
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  /** A tool object, an array of tools, {@code {"tools":[...]}} or a JSON-RPC response whose result is that. */
  static Input read(Path file) throws InputError {
    JsonNode root = ToolFiles.readJson(file);
    if (root.isObject() && root.has("error") && !root.has("result")) {
      throw new InputError(file + ": no tool in it: a JSON-RPC error response ("
          + safe(root.path("error").path("message").asString(""), 200) + ")");
    }
    JsonNode node = root;
    if (node.isObject() && node.has("result")) {
      node = node.get("result");
    }
    if (node.isObject() && node.has("tools")) {
      node = node.get("tools");
    } else if (node.isObject() && node.path("name").isString()) {
      return new Input(List.of(node), true);
    }
    if (!node.isArray()) {
      throw new InputError(file + ": no tool in it: expected a tool object with a string 'name', a JSON array of"
          + " tools, a tools/list result {\"tools\":[...]} or a JSON-RPC response holding one");
    }
    return new Input(ToolFiles.tools(file, node), false);
  }

}
