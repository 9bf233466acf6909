package dev.aegis.config.discovery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The MCP hosts whose configuration Aegis knows, and where each keeps it. A file holds one or more server sections,
 * each named by a path of keys ({@code "*"} matches any key: Claude Code's {@code projects.<dir>.mcpServers}).
 *
 * <pre>{@code
 * Client.CURSOR.candidates(Platform.current(), Path.of("."));  // ~/.cursor/mcp.json, ./.cursor/mcp.json
 * }</pre>
 */
public enum Client {
  CLAUDE_DESKTOP("claude-desktop", "Claude Desktop"),
  CLAUDE_CODE("claude-code", "Claude Code"),
  CURSOR("cursor", "Cursor"),
  VSCODE("vscode", "VS Code"),
  WINDSURF("windsurf", "Windsurf"),
  GEMINI("gemini", "Gemini CLI");

  private static final List<String> MCP_SERVERS = List.of("mcpServers");

  private final String id;
  private final String displayName;

  Client(String id, String displayName) {
    this.id = id;
    this.displayName = displayName;
  }

  /** The name used on the command line: {@code claude-desktop}, {@code vscode}, ... */
  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  /** Whether the file is the user's own or a project's. */
  public enum Scope { USER, PROJECT }

  /** A place a configuration may be, and the key paths of its server sections. */
  public record Candidate(Path path, Scope scope, List<List<String>> sections) {
    public Candidate {
      sections = List.copyOf(sections);
    }
  }

  /** Where this client's files may be, user level first; project level only when {@code project} is not null. */
  public List<Candidate> candidates(Platform platform, Path project) {
    Path home = platform.home();
    List<Candidate> out = new ArrayList<>();
    switch (this) {
      case CLAUDE_DESKTOP -> out.add(user(platform.appConfig().resolve("Claude").resolve("claude_desktop_config.json"),
          MCP_SERVERS));
      case CLAUDE_CODE -> {
        out.add(new Candidate(home.resolve(".claude.json"), Scope.USER,
            List.of(MCP_SERVERS, List.of("projects", "*", "mcpServers"))));
        if (project != null) {
          out.add(new Candidate(project.resolve(".mcp.json"), Scope.PROJECT, List.of(MCP_SERVERS)));
        }
      }
      case CURSOR -> {
        out.add(user(home.resolve(".cursor").resolve("mcp.json"), MCP_SERVERS));
        if (project != null) {
          out.add(new Candidate(project.resolve(".cursor").resolve("mcp.json"), Scope.PROJECT, List.of(MCP_SERVERS)));
        }
      }
      case VSCODE -> {
        Path userDir = platform.appConfig().resolve("Code").resolve("User");
        out.add(user(userDir.resolve("mcp.json"), List.of("servers")));
        out.add(user(userDir.resolve("settings.json"), List.of("mcp", "servers")));
        if (project != null) {
          out.add(new Candidate(project.resolve(".vscode").resolve("mcp.json"), Scope.PROJECT,
              List.of(List.of("servers"))));
        }
      }
      case WINDSURF -> out.add(user(home.resolve(".codeium").resolve("windsurf").resolve("mcp_config.json"),
          MCP_SERVERS));
      case GEMINI -> {
        out.add(user(home.resolve(".gemini").resolve("settings.json"), MCP_SERVERS));
        if (project != null) {
          out.add(new Candidate(project.resolve(".gemini").resolve("settings.json"), Scope.PROJECT,
              List.of(MCP_SERVERS)));
        }
      }
      default -> throw new IllegalStateException("no locations for " + this);
    }
    return out;
  }

  private static Candidate user(Path path, List<String> section) {
    return new Candidate(path, Scope.USER, List.of(section));
  }

  /** The client with this command-line name (or enum name), case-insensitive; null if none. */
  public static Client byId(String name) {
    for (Client c : values()) {
      if (c.id.equalsIgnoreCase(name) || c.name().equalsIgnoreCase(name.replace('-', '_'))) {
        return c;
      }
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "code", "vs-code" -> VSCODE;
      case "gemini-cli" -> GEMINI;
      case "claude" -> CLAUDE_DESKTOP;
      default -> null;
    };
  }
}
