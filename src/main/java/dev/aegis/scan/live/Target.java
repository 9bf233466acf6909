package dev.aegis.scan.live;

import dev.aegis.config.ServerConfig;
import java.nio.file.Path;

/**
 * One server to scan: how to reach it, where it was configured (for people), and the file to point at in reports.
 *
 * <pre>{@code
 * new Target(serverConfig, "cursor /home/me/.cursor/mcp.json#/mcpServers/github", Path.of("/home/me/.cursor/mcp.json"))
 * }</pre>
 *
 * @param file the config file it came from, or null for a server given on the command line
 */
public record Target(ServerConfig server, String source, Path file) {
  /** {@code stdio: CMD ARGS}, {@code http: URL} or {@code sse: URL}. */
  public String describe() {
    if (server.transport() instanceof ServerConfig.Stdio st) {
      return "stdio: " + String.join(" ", st.command());
    }
    if (server.transport() instanceof ServerConfig.Builtin b) {
      return "builtin: " + b.kind();
    }
    ServerConfig.Http h = (ServerConfig.Http) server.transport();
    return (h.legacySse() ? "sse: " : "http: ") + h.url();
  }
}
