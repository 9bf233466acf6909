package dev.aegis.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One upstream MCP server: a child process over stdio, or a remote server over Streamable HTTP.
 *
 * <pre>{@code new ServerConfig("fs", "fs", new ServerConfig.Stdio(List.of("npx", "server-filesystem", "/tmp"), Map.of(), null)) }</pre>
 *
 * @param name the configured name (shown to people, used in logs and audit)
 * @param prefix the namespace prefix for its tools and prompts ({@code prefix__tool}); empty for none
 */
public record ServerConfig(String name, String prefix, Transport transport) {

  public ServerConfig {
    if (name == null || name.isEmpty() || prefix == null || transport == null) {
      throw new IllegalArgumentException("server needs name, prefix (may be empty) and transport");
    }
  }

  /** How to reach the server. */
  public sealed interface Transport permits Stdio, Http, Builtin {}

  /** A server Aegis runs in its own process, e.g. {@code builtin: memory} (the shared-memory server). */
  public record Builtin(String kind) implements Transport {
    public static final java.util.Set<String> KINDS = java.util.Set.of("memory");

    public Builtin {
      if (!KINDS.contains(kind)) {
        throw new IllegalArgumentException("unknown built-in server: " + kind);
      }
    }
  }

  /** A child process: the command line, extra environment, working directory (null: the gateway's). */
  public record Stdio(List<String> command, Map<String, String> env, String cwd) implements Transport {
    public Stdio {
      if (command == null || command.isEmpty()) {
        throw new IllegalArgumentException("stdio server needs a command");
      }
      command = List.copyOf(command);
      env = Map.copyOf(env == null ? Map.of() : env);
    }
  }

  /**
   * A remote server: its MCP endpoint and headers sent with every request; {@code legacySse} for a 2024-11-05 server
   * that speaks the old HTTP+SSE transport instead of Streamable HTTP.
   */
  public record Http(URI url, Map<String, String> headers, boolean legacySse) implements Transport {
    public Http {
      if (url == null) {
        throw new IllegalArgumentException("http server needs a url");
      }
      headers = Map.copyOf(headers == null ? Map.of() : headers);
    }
  }
}
