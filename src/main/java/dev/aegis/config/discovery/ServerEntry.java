package dev.aegis.config.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * One server as a host configures it: its section in the file, its name, its JSON, and where that JSON sits in the
 * text. Only what Aegis shows or rewrites is decoded; the rest stays in {@link #node()}.
 *
 * <pre>{@code
 * entry.transport();   // "stdio", "http", "sse" or "unknown"
 * entry.target();      // "npx -y @modelcontextprotocol/server-github" or "https://mcp.example.com/mcp"
 * }</pre>
 */
public record ServerEntry(Client client, List<String> section, String name, JsonNode node, JsoncDocument.Span span) {
  /** The keys a remote server's address goes under: {@code url}, Windsurf's {@code serverUrl}, Gemini's {@code httpUrl}. */
  static final List<String> URL_KEYS = List.of("url", "serverUrl", "httpUrl");

  public ServerEntry {
    Objects.requireNonNull(client, "client");
    section = List.copyOf(section);
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(node, "node");
  }

  /** The JSON pointer of this entry, like {@code /mcpServers/github}. */
  public String pointer() {
    List<String> keys = new ArrayList<>(section);
    keys.add(name);
    return JsoncDocument.pointer(keys);
  }

  public String command() {
    JsonNode c = node.get("command");
    return c != null && c.isString() ? c.stringValue() : null;
  }

  public List<String> args() {
    List<String> out = new ArrayList<>();
    JsonNode a = node.path("args");
    for (int i = 0; i < a.size(); i++) {
      out.add(a.get(i).asString());
    }
    return out;
  }

  /** The key holding the remote address, or null for a local server. */
  public String urlKey() {
    for (String k : URL_KEYS) {
      if (node.path(k).isString()) {
        return k;
      }
    }
    return null;
  }

  public String url() {
    String k = urlKey();
    return k == null ? null : node.get(k).stringValue();
  }

  /** {@code stdio}, {@code http}, {@code sse}, or {@code unknown} when the entry has neither command nor url. */
  public String transport() {
    if (command() != null) {
      return "stdio";
    }
    String k = urlKey();
    if (k == null) {
      return "unknown";
    }
    String type = node.path("type").asString("");
    // Gemini CLI: "url" is SSE, "httpUrl" Streamable HTTP; elsewhere "type" says, and http is the default
    boolean sse = type.equals("sse") || (type.isEmpty() && k.equals("url") && client == Client.GEMINI);
    return sse ? "sse" : "http";
  }

  /** The command line or the address, for people to read. */
  public String target() {
    if (command() != null) {
      List<String> line = new ArrayList<>();
      line.add(command());
      line.addAll(args());
      return String.join(" ", line);
    }
    String url = url();
    return url == null ? "(no command or url)" : url;
  }
}
