package dev.aegis.identity;

/**
 * What {@link Authenticator#authenticate} decided about one HTTP request.
 *
 * <pre>{@code
 * AuthResult r = authenticator.authenticate(request.getHeader("Authorization"));
 * if (r instanceof AuthResult.Refused no) {
 *   response.setStatus(no.status());
 *   response.setHeader("WWW-Authenticate", no.wwwAuthenticate());
 * } else if (r instanceof AuthResult.Authenticated ok) {
 *   openSession(ok.principal());
 * }
 * }</pre>
 */
public sealed interface AuthResult {
  /** The request acts for {@code principal}. */
  record Authenticated(Principal principal) implements AuthResult {
    public Authenticated {
      if (principal == null) {
        throw new IllegalArgumentException("authenticated needs a principal");
      }
    }
  }

  /**
   * The request is refused.
   *
   * @param status 400 (malformed header), 401 (no or bad credentials) or 403 (insufficient scope)
   * @param error the RFC 6750 error code, or null when the request carried no credentials at all
   * @param description why, for logs and the challenge; never contains the credential
   * @param wwwAuthenticate the {@code WWW-Authenticate} header value to send
   */
  record Refused(int status, String error, String description, String wwwAuthenticate) implements AuthResult {}
}
