package dev.aegis.chain;

/**
 * What interceptors may know about the downstream session a message belongs to.
 *
 * @param id the gateway's id for the session (also the {@code Mcp-Session-Id} over HTTP)
 * @param transport "stdio" or "http"
 * @param principal who the session acts for ("local" for stdio unless the configuration names one)
 * @param groups the principal's groups, for policies
 */
public record SessionInfo(String id, String transport, String principal, java.util.List<String> groups) {
  public SessionInfo(String id, String transport, String principal) {
    this(id, transport, principal, java.util.List.of());
  }

  public SessionInfo {
    if (id == null || transport == null || principal == null) {
      throw new IllegalArgumentException("session info needs id, transport and principal");
    }
    groups = java.util.List.copyOf(groups == null ? java.util.List.of() : groups);
  }
}
