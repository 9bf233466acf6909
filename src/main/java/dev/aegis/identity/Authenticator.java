package dev.aegis.identity;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an HTTP {@code Authorization} header into a {@link Principal}, or a refusal with the status and
 * {@code WWW-Authenticate} challenge the MCP authorization spec asks for.
 *
 * <pre>{@code
 * Authenticator auth = new Authenticator(config.identity());
 * AuthResult r = auth.authenticate(request.getHeader("Authorization"));
 * auth.protectedResource().ifPresent(pr -> serve(pr.metadataPath(), pr.json()));
 * }</pre>
 *
 * <p>{@code Bearer <credential>} is checked against the API keys first (one hash, cheap), then, when OAuth is
 * configured and the credential looks like a JWT, as an access token. No header at all gives
 * {@link Principal#ANONYMOUS} when {@code allowAnonymous} is on, else 401 with a challenge naming the RFC 9728
 * metadata URL. A credential that is present but bad is refused even with {@code allowAnonymous}: a client that
 * meant to authenticate should learn that it failed, not be quietly downgraded.
 *
 * <p>Tokens stop here. The gateway strips {@code Authorization} when it calls an upstream server: the MCP spec
 * forbids passing a client's token through, because the upstream is not its audience and a confused upstream could
 * replay it.
 */
public final class Authenticator {
  /** {@code Bearer } plus the longest token {@link OAuthValidator} looks at, plus slack for whitespace. */
  static final int MAX_HEADER = OAuthValidator.MAX_TOKEN_LENGTH + 64;

  private final StaticKeys keys;
  private final OAuthValidator oauth;
  private final ProtectedResource resource;
  private final String scopeHint;
  private final boolean allowAnonymous;

  /** An authenticator on the system clock. */
  public Authenticator(IdentityConfig config) {
    this(config, Clock.systemUTC());
  }

  /** An authenticator whose token checks use {@code clock}. */
  public Authenticator(IdentityConfig config, Clock clock) {
    Map<String, Principal> byHash = new LinkedHashMap<>();
    for (IdentityConfig.ApiKey k : config.apiKeys()) {
      if (byHash.put(k.hash(), k.toPrincipal()) != null) {
        throw new IllegalArgumentException("api key for " + k.principal() + " repeats another key's hash");
      }
    }
    this.keys = new StaticKeys(byHash);
    IdentityConfig.OAuth o = config.oauth();
    this.oauth = o == null ? null : new OAuthValidator(o, clock);
    this.resource = o == null ? null
        : new ProtectedResource(o.resource(), List.of(o.issuer()), o.requiredScopes());
    this.scopeHint = o == null || o.requiredScopes().isEmpty() ? null : String.join(" ", o.requiredScopes());
    this.allowAnonymous = config.allowAnonymous();
  }

  /** The RFC 9728 metadata to serve, when OAuth is configured. */
  public Optional<ProtectedResource> protectedResource() {
    return Optional.ofNullable(resource);
  }

  /**
   * Decides who the request acts for.
   *
   * @param authorizationHeader the {@code Authorization} header value, or null when absent
   */
  public AuthResult authenticate(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      if (allowAnonymous) {
        return new AuthResult.Authenticated(Principal.ANONYMOUS);
      }
      // RFC 6750 §3.1: a request without credentials gets a challenge with no error code.
      return refuse(401, null, "no credentials", scopeHint);
    }
    if (authorizationHeader.length() > MAX_HEADER) {
      return refuse(400, "invalid_request", "Authorization header too long", null);
    }
    String header = authorizationHeader.strip();
    int space = header.indexOf(' ');
    String scheme = space < 0 ? header : header.substring(0, space);
    if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
      // Another scheme (Basic, say) is not a bad token; answer as if none were sent, so the client sees the challenge.
      return refuse(401, null, "unsupported authorization scheme", scopeHint);
    }
    String credential = space < 0 ? "" : header.substring(space + 1).strip();
    if (credential.isEmpty() || credential.chars().anyMatch(Character::isWhitespace)) {
      return refuse(400, "invalid_request", "malformed bearer credential", null);
    }
    Optional<Principal> byKey = keys.authenticate(credential);
    if (byKey.isPresent()) {
      return new AuthResult.Authenticated(byKey.get());
    }
    if (oauth != null && credential.indexOf('.') >= 0) {
      OAuthValidator.Result r = oauth.validate(credential);
      if (r instanceof OAuthValidator.Valid ok) {
        return new AuthResult.Authenticated(ok.principal());
      }
      OAuthValidator.Invalid no = (OAuthValidator.Invalid) r;
      return refuse(no.status(), no.error(), no.description(), no.scope());
    }
    return refuse(401, "invalid_token", oauth == null ? "unknown API key" : "unknown API key or token", null);
  }

  private AuthResult.Refused refuse(int status, String error, String description, String scope) {
    String metadata = resource == null ? null : resource.metadataUrl();
    // Without an error code the description would be noise; with one it tells a developer what went wrong.
    String challenge = ProtectedResource.wwwAuthenticate(metadata, error, error == null ? null : description, scope);
    return new AuthResult.Refused(status, error, description, challenge);
  }
}
