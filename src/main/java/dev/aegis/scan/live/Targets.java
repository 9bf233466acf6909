package dev.aegis.scan.live;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ServerConfig;
import dev.aegis.config.discovery.Client;
import dev.aegis.config.discovery.ClientConfig;
import dev.aegis.config.discovery.Discovery;
import dev.aegis.config.discovery.ServerEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where the servers to scan come from: the installed clients' files (as {@code aegis clients} finds them), or one
 * command line. Each client entry is read by the gateway's own config loader, so it runs as the gateway would run it.
 *
 * <pre>{@code
 * List<Target> all = Targets.installed(new Discovery(Platform.current(), null), List.of(Client.values()), log::warn);
 * Target one = Targets.command(Targets.split("npx -y @modelcontextprotocol/server-everything"), null);
 * }</pre>
 */
public final class Targets {
  private static final List<String> NOT_NAMES = List.of("index", "main", "dist", "build", "lib", "src", "bin", "");

  private Targets() {}

  /**
   * The servers of these clients' files, in client order. A name seen before becomes {@code name@client}; entries that
   * cannot be read or are disabled are told to {@code note} and skipped.
   */
  public static List<Target> installed(Discovery discovery, List<Client> clients, Consumer<String> note) {
    List<Target> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (Client c : clients) {
      for (ClientConfig f : discovery.find(c)) {
        if (!f.readable()) {
          note.accept(c.id() + ": cannot read " + f.path() + ": " + f.error());
          continue;
        }
        for (ServerEntry e : f.servers()) {
          int seen = names.merge(e.name(), 1, Integer::sum);
          String unique = seen == 1 ? e.name() : e.name() + "@" + c.id() + (seen > 2 ? "-" + seen : "");
          String where = f.path() + "#" + e.pointer();
          ServerConfig s = fromEntry(unique, e, where, note);
          if (s != null) {
            out.add(new Target(s, c.id() + " " + where, f.path()));
          }
        }
      }
    }
    return out;
  }

  /** A client's entry as the gateway's loader reads it; null (after a note) when it is disabled or invalid. */
  static ServerConfig fromEntry(String server, ServerEntry e, String where, Consumer<String> note) {
    ObjectNode node = (ObjectNode) e.node().deepCopy();
    String key = e.urlKey();
    if (key != null && !key.equals("url")) {
      node.set("url", node.remove(key));
    }
    if (e.transport().equals("sse") && !node.has("type")) {
      node.put("type", "sse");
    }
    node.remove("prefix");
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("mcpServers").set(server, node);
    try {
      List<ServerConfig> servers = ConfigLoader.parse(where, JsonMapper.shared().writeValueAsBytes(root)).config()
          .servers();
      if (servers.isEmpty()) {
        note.accept(server + ": disabled, not scanned");
        return null;
      }
      ServerConfig s = servers.get(0);
      return new ServerConfig(server, s.prefix(), s.transport());
    } catch (ConfigException ex) {
      note.accept(server + ": " + String.join("; ", ex.errors()));
      return null;
    }
  }

  /** One stdio server from a command line, named {@code name} or after the command ({@link #guessName}). */
  public static Target command(List<String> line, String name) {
    String server = name != null ? name : guessName(line);
    return new Target(new ServerConfig(server, server, new ServerConfig.Stdio(line, Map.of(), null)),
        "stdio: " + String.join(" ", line), null);
  }

  /**
   * A server name from a command line: its last argument that is not an option, without folders or extension; a
   * script's package folder rather than {@code index.js} ({@code .../server-everything/dist/index.js}).
   */
  public static String guessName(List<String> line) {
    String pick = line.get(0);
    for (String a : line) {
      if (!a.startsWith("-")) {
        pick = a;
      }
    }
    List<String> parts = new ArrayList<>(List.of(pick.split("[/\\\\]")));
    String base = "";
    while (!parts.isEmpty()) {
      base = parts.remove(parts.size() - 1).replaceAll("\\.(js|mjs|cjs|py|jar|exe)$", "");
      if (!NOT_NAMES.contains(base)) {
        break;
      }
    }
    if (NOT_NAMES.contains(base)) {
      base = "server";
    }
    return base.replaceAll("[^A-Za-z0-9_.@-]", "_");
  }

  /** Splits a command line on whitespace; single or double quotes group, as a shell would for simple cases. */
  public static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          cur.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
          any = false;
        }
      } else {
        cur.append(c);
      }
    }
    if (any || cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }
}
