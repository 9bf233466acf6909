package dev.aegis.transport;

import java.util.List;

/**
 * Who is on the other end of a downstream session, as its transport authenticated it: a name, the groups it belongs to
 * and the scopes its credential grants. stdio sessions get the principal the configuration names.
 *
 * @param name the principal's name (an API key's principal, a token's subject, or the configured stdio principal)
 * @param groups groups the principal belongs to (policies match {@code group:NAME})
 * @param scopes OAuth scopes the credential carries (empty for API keys and stdio)
 * @param method how it was established: "stdio", "api-key", "oauth" or "anonymous"
 */
public record Caller(String name, List<String> groups, List<String> scopes, String method) {
  /** Every session before identities existed: one local user. */
  public static final Caller LOCAL = new Caller("local", List.of(), List.of(), "stdio");

  public Caller {
    if (name == null || name.isEmpty() || method == null) {
      throw new IllegalArgumentException("a caller needs a name and a method");
    }
    groups = List.copyOf(groups == null ? List.of() : groups);
    scopes = List.copyOf(scopes == null ? List.of() : scopes);
  }
}
