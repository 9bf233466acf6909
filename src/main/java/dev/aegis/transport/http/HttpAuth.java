package dev.aegis.transport.http;

import dev.aegis.transport.Caller;

/**
 * How the Streamable HTTP endpoint tells who is calling: every request's {@code Authorization} header is checked
 * before anything else (the MCP authorization spec asks for it on every request, not just initialize), and a session
 * stays bound to the caller that opened it. Implemented by the identity feature; the transport only asks.
 *
 * <pre>{@code
 * server.auth(header -> header == null ? HttpAuth.Outcome.refuse(401, "Bearer", "sign in") : ...);
 * }</pre>
 */
public interface HttpAuth {
  /**
   * The verdict on one request: a caller, or a refusal with its HTTP status, {@code WWW-Authenticate} value and a
   * one-line message for the JSON-RPC error body.
   */
  record Outcome(Caller caller, int status, String wwwAuthenticate, String message) {
    public static Outcome allow(Caller caller) {
      return new Outcome(caller, 200, null, null);
    }

    public static Outcome refuse(int status, String wwwAuthenticate, String message) {
      return new Outcome(null, status, wwwAuthenticate, message);
    }

    public boolean allowed() {
      return caller != null;
    }
  }

  /** Checks one request's {@code Authorization} header (null when absent). Never throws for a bad credential. */
  Outcome authenticate(String authorization);

  /**
   * A document served without authentication at a well-known path (RFC 9728 protected-resource metadata, so that a
   * client refused with 401 can find the authorization server), as JSON text; null when there is none at
   * {@code path}.
   */
  default String wellKnown(String path) {
    return null;
  }
}
