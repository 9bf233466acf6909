package dev.aegis.chain;

/**
 * What interceptors may know about the downstream session a message belongs to.
 *
 * @param id the gateway's id for the session (also the {@code Mcp-Session-Id} over HTTP)
 * @param transport "stdio" or "http"
 * @param principal who the session acts for; "local" until identities exist
 */
public record SessionInfo(String id, String transport, String principal) {
  public SessionInfo {
    if (id == null || transport == null || principal == null) {
      throw new IllegalArgumentException("session info needs id, transport and principal");
    }
  }
}
