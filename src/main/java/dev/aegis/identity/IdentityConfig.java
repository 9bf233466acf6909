package dev.aegis.identity;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The {@code identity:} section: who may open an HTTP session and how they prove it.
 *
 * <pre>{@code
 * identity:
 *   apiKeys:
 *     - {hash: "sha256:9f86d0...", principal: alice, groups: [dev], scopes: [mcp:tools]}
 *   oauth:
 *     issuer: https://auth.example.com
 *     jwksUri: https://auth.example.com/.well-known/jwks.json
 *     resource: https://mcp.example.com/mcp    # this gateway's MCP endpoint; tokens must name it in aud
 *     requiredScopes: [mcp:tools]
 *     groupsClaim: groups                      # default; a dotted path reaches nested claims
 *   allowAnonymous: false                      # default
 * }</pre>
 *
 * @param apiKeys static API keys, stored hashed; may be empty
 * @param oauth OAuth 2.1 access tokens, or null when the gateway accepts none
 * @param allowAnonymous whether a request without {@code Authorization} gets {@link Principal#ANONYMOUS}
 */
public record IdentityConfig(List<ApiKey> apiKeys, OAuth oauth, boolean allowAnonymous) {
  /** No keys, no OAuth, no anonymous access: every HTTP request is refused. */
  public static final IdentityConfig NONE = new IdentityConfig(List.of(), null, false);

  public IdentityConfig {
    apiKeys = List.copyOf(apiKeys);
  }

  /**
   * One API key.
   *
   * @param hash {@code "sha256:<64 hex>"} from {@link StaticKeys#hash(String)}; never the key itself
   * @param principal the name requests with this key act under
   * @param groups the principal's groups
   * @param scopes scopes granted to sessions with this key, for policies written against OAuth scopes
   */
  public record ApiKey(String hash, String principal, List<String> groups, List<String> scopes) {
    public ApiKey {
      if (principal == null || principal.isBlank()) {
        throw new IllegalArgumentException("api key needs a principal");
      }
      groups = groups == null ? List.of() : List.copyOf(groups);
      scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    /** The principal this key stands for. */
    public Principal toPrincipal() {
      return new Principal(principal, groups, scopes, "api-key");
    }
  }

  /**
   * The authorization server whose access tokens are accepted.
   *
   * @param issuer the exact {@code iss} tokens carry; also published as the authorization server in the metadata
   * @param jwksUri where the issuer's signing keys are; https, or http only to a loopback address
   * @param resource this gateway's MCP endpoint as a canonical URI (RFC 8707); tokens must name it in {@code aud}
   * @param requiredScopes scopes every token must carry; also published as {@code scopes_supported}
   * @param groupsClaim the claim holding the principal's groups; default {@code groups}
   */
  public record OAuth(String issuer, URI jwksUri, String resource, List<String> requiredScopes, String groupsClaim) {
    public OAuth {
      if (issuer == null || issuer.isBlank()) {
        throw new IllegalArgumentException("oauth needs an issuer");
      }
      if (jwksUri == null || !secureOrLoopback(jwksUri)) {
        // Keys fetched over plain http to a remote host could be swapped by anyone on the path.
        throw new IllegalArgumentException("oauth jwksUri must be https (http only to a loopback address), was "
            + jwksUri);
      }
      resource = ProtectedResource.canonical(resource);
      requiredScopes = requiredScopes == null ? List.of() : List.copyOf(requiredScopes);
      groupsClaim = groupsClaim == null || groupsClaim.isBlank() ? "groups" : groupsClaim;
    }

    private static boolean secureOrLoopback(URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String host = uri.getHost() == null ? "" : uri.getHost();
      return scheme.equals("https") && !host.isEmpty()
          || scheme.equals("http") && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"));
    }
  }
}
