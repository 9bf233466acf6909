package dev.aegis.identity;

import dev.aegis.config.AccessConfig;
import dev.aegis.transport.Caller;
import dev.aegis.transport.http.HttpAuth;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The identity feature as the Streamable HTTP endpoint's {@link HttpAuth}: API keys and OAuth access tokens from the
 * {@code identity:} section, the RFC 9728 metadata served at its well-known paths, anonymous callers only when the
 * configuration allows them. Credentials stop here: the gateway never sends them on to upstream servers.
 *
 * <pre>{@code
 * HttpIdentity id = HttpIdentity.from(config.access().identity());
 * if (id != null) server.auth(id);
 * }</pre>
 */
public final class HttpIdentity implements HttpAuth {
  private final Authenticator authenticator;
  private final Optional<ProtectedResource> metadata;

  private HttpIdentity(Authenticator authenticator) {
    this.authenticator = authenticator;
    this.metadata = authenticator.protectedResource();
  }

  /**
   * The HTTP authentication the settings ask for, or null when they configure neither keys nor OAuth nor anonymous
   * access (then HTTP sessions act for the local user, as before identities existed; the gateway binds to loopback).
   *
   * @throws IllegalArgumentException when the settings are inconsistent (the message says what)
   */
  public static HttpIdentity from(AccessConfig.Identity settings) {
    if (!settings.authenticates() && !settings.anonymous()) {
      return null;
    }
    List<IdentityConfig.ApiKey> keys = new ArrayList<>();
    for (AccessConfig.Key k : settings.keys()) {
      keys.add(new IdentityConfig.ApiKey(k.hash(), k.principal(), k.groups(), List.of()));
    }
    IdentityConfig.OAuth oauth = null;
    if (settings.oauth() != null) {
      AccessConfig.OAuth o = settings.oauth();
      oauth = new IdentityConfig.OAuth(o.issuer(), URI.create(o.jwks()), o.resource(), o.scopes(), o.groupsClaim());
    }
    return new HttpIdentity(new Authenticator(new IdentityConfig(keys, oauth, settings.anonymous())));
  }

  @Override
  public Outcome authenticate(String authorization) {
    AuthResult r = authenticator.authenticate(authorization);
    if (r instanceof AuthResult.Authenticated ok) {
      Principal p = ok.principal();
      return Outcome.allow(new Caller(p.name(), p.groups(), p.scopes(), p.method()));
    }
    AuthResult.Refused no = (AuthResult.Refused) r;
    return Outcome.refuse(no.status(), no.wwwAuthenticate(), no.description() == null ? "authentication required"
        : no.description());
  }

  @Override
  public String wellKnown(String path) {
    if (metadata.isEmpty()) {
      return null;
    }
    ProtectedResource pr = metadata.get();
    // RFC 9728 puts the resource's path after the well-known segment; clients also try the bare one
    if (path.equals(pr.metadataPath()) || path.equals(ProtectedResource.WELL_KNOWN)) {
      return pr.json();
    }
    return null;
  }
}
