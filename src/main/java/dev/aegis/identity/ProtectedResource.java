package dev.aegis.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway as an OAuth protected resource: its RFC 9728 metadata document and the {@code WWW-Authenticate}
 * challenge that points clients at it.
 *
 * <pre>{@code
 * ProtectedResource pr = new ProtectedResource("https://mcp.example.com/mcp",
 *     List.of("https://auth.example.com"), List.of("mcp:tools"));
 * pr.metadataPath();   // "/.well-known/oauth-protected-resource/mcp" — serve pr.json() there
 * pr.metadataUrl();    // "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
 * ProtectedResource.wwwAuthenticate(pr.metadataUrl(), "invalid_token", "token expired", null);
 * // Bearer resource_metadata="https://mcp.example.com/.well-known/...", error="invalid_token", ...
 * }</pre>
 *
 * <p>The metadata URL follows RFC 9728 §3.1: the well-known segment goes between the host and the resource's path.
 * MCP clients (2025-11-25) try that first and then the root {@code /.well-known/oauth-protected-resource}, so the
 * HTTP layer should answer both with {@link #json()}.
 */
public final class ProtectedResource {
  /** The RFC 9728 well-known path segment. */
  public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

  /** Longer {@code error_description} values are cut: it is a hint for a developer, not a transcript. */
  static final int MAX_DESCRIPTION = 200;

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final String resource;
  private final List<String> authorizationServers;
  private final List<String> scopesSupported;
  private final String metadataPath;
  private final String metadataUrl;

  /**
   * Metadata for one MCP endpoint.
   *
   * @param resource the canonical URI of the MCP endpoint (RFC 8707): absolute http(s), no fragment, no query
   * @param authorizationServers issuer URLs of the authorization servers whose tokens are accepted (at least one)
   * @param scopesSupported scopes clients may request; may be empty
   */
  public ProtectedResource(String resource, List<String> authorizationServers, List<String> scopesSupported) {
    this.resource = canonical(resource);
    this.authorizationServers = List.copyOf(authorizationServers);
    this.scopesSupported = List.copyOf(scopesSupported);
    if (this.authorizationServers.isEmpty()) {
      // MCP: the metadata MUST name at least one authorization server.
      throw new IllegalArgumentException("protected resource " + resource + " needs at least one authorization server");
    }
    URI uri = URI.create(this.resource);
    String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
    this.metadataPath = WELL_KNOWN + path;
    this.metadataUrl = uri.getScheme() + "://" + uri.getRawAuthority() + metadataPath;
  }

  /** The canonical resource URI; what access tokens must name in {@code aud}. */
  public String resource() {
    return resource;
  }

  /** The path to serve {@link #json()} at (RFC 9728 §3.1). */
  public String metadataPath() {
    return metadataPath;
  }

  /** The absolute metadata URL, for the {@code resource_metadata} parameter of challenges. */
  public String metadataUrl() {
    return metadataUrl;
  }

  /** The metadata document as a JSON tree. */
  public ObjectNode metadata() {
    ObjectNode doc = MAPPER.createObjectNode();
    doc.put("resource", resource);
    ArrayNode servers = doc.putArray("authorization_servers");
    authorizationServers.forEach(servers::add);
    if (!scopesSupported.isEmpty()) {
      // RFC 9728 §2: a parameter with no values is omitted rather than sent as [].
      ArrayNode scopes = doc.putArray("scopes_supported");
      scopesSupported.forEach(scopes::add);
    }
    // Only the header: tokens in query strings end up in logs, and in a form body they need a POST we do not parse.
    doc.putArray("bearer_methods_supported").add("header");
    return doc;
  }

  /** The metadata document, serialized; serve it as {@code application/json}. */
  public String json() {
    return MAPPER.writeValueAsString(metadata());
  }

  /**
   * A {@code WWW-Authenticate} value for the Bearer scheme (RFC 6750 §3, RFC 9728 §5.1).
   *
   * <p>Every argument may be null and is then left out; with all null the value is just {@code Bearer}. Values are
   * quoted, {@code "} and {@code \} are backslash-escaped, and control and non-ASCII characters become {@code ?}, so
   * no input can end the header or start another one.
   *
   * @param resourceMetadataUrl where the RFC 9728 metadata lives
   * @param error {@code invalid_request}, {@code invalid_token} or {@code insufficient_scope}
   * @param description a short human-readable reason (cut at 200 characters)
   * @param scope space-separated scopes the request needs (for {@code insufficient_scope}, and on a 401 as a hint)
   */
  public static String wwwAuthenticate(String resourceMetadataUrl, String error, String description, String scope) {
    StringBuilder sb = new StringBuilder("Bearer");
    String sep = " ";
    String[][] params = {
        {"resource_metadata", resourceMetadataUrl}, {"error", error}, {"error_description", description},
        {"scope", scope}};
    for (String[] p : params) {
      if (p[1] == null) {
        continue;
      }
      String value = p[0].equals("error_description") && p[1].length() > MAX_DESCRIPTION
          ? p[1].substring(0, MAX_DESCRIPTION) : p[1];
      sb.append(sep).append(p[0]).append("=\"");
      quote(value, sb);
      sb.append('"');
      sep = ", ";
    }
    return sb.toString();
  }

  private static void quote(String value, StringBuilder sb) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        sb.append('?');
      } else {
        sb.append(c);
      }
    }
  }

  /**
   * The canonical form of a resource URI (MCP authorization, "Canonical Server URI"): scheme and host lowercased, a
   * lone trailing {@code /} dropped. Tokens from servers that wrote {@code HTTPS://MCP.example.com/} still match.
   *
   * @throws IllegalArgumentException when the URI is not absolute http(s), or has a fragment, query or user info
   */
  static String canonical(String uri) {
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("resource is not a URI: " + uri);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
      throw new IllegalArgumentException("resource must be an absolute http(s) URI: " + uri);
    }
    if (u.getRawFragment() != null || u.getRawQuery() != null || u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("resource must not have a fragment, query or user info: " + uri);
    }
    String path = u.getRawPath() == null || u.getRawPath().equals("/") ? "" : u.getRawPath();
    String port = u.getPort() == -1 ? "" : ":" + u.getPort();
    return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + port + path;
  }
}
