package dev.aegis.identity;

import java.util.List;
import java.util.Set;

/**
 * Who a session acts for, as established by an {@link Authenticator}; policy decides what it may do.
 *
 * <pre>{@code
 * Principal alice = new Principal("alice", List.of("dev"), List.of("mcp:tools"), "api-key");
 * boolean dev = alice.groups().contains("dev");
 * }</pre>
 *
 * @param name the stable name: a configured principal for API keys, {@code sub} for OAuth tokens
 * @param groups groups the principal belongs to (from config, or the token's groups claim)
 * @param scopes OAuth scopes granted to this session; empty for API keys unless configured
 * @param method how the principal was established: {@code stdio}, {@code api-key}, {@code oauth} or
 *     {@code anonymous}
 */
public record Principal(String name, List<String> groups, List<String> scopes, String method) {
  /** The methods a principal can be established by. */
  public static final Set<String> METHODS = Set.of("stdio", "api-key", "oauth", "anonymous");

  /** The principal of an unauthenticated HTTP session when {@code allowAnonymous} is on. */
  public static final Principal ANONYMOUS = new Principal("anonymous", List.of(), List.of(), "anonymous");

  public Principal {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("principal needs a name");
    }
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("principal method must be one of " + METHODS + ", was " + method);
    }
    groups = List.copyOf(groups);
    scopes = List.copyOf(scopes);
  }
}
